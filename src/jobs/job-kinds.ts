import type { ResolvedConfig } from '../config/resolved-config.js';
import { type Filter, parseFilter } from '../core/filter.js';
import type { JsonObject } from '../core/json.js';
import type { MigrationEvent } from '../migrations/apply/migration-events.js';
import type { DriftCheckEvent, DriftCheckInput } from '../workspace/derived/drift-check.js';
import { driftCheck } from '../workspace/derived/drift-check.js';
import type { DriftRepairEvent, DriftRepairInput } from '../workspace/derived/drift-repair.js';
import { driftRepair } from '../workspace/derived/drift-repair.js';
import { type RefsRepairInput, refsRepair } from '../workspace/integrity/refs-repair.js';
import { type RefsScanEvent, type RefsScanInput, refsScan } from '../workspace/integrity/refs-scan.js';
import { type MigrateApplyInput, migrateApply } from '../workspace/migrations/migrate-apply.js';
import { type MigrateRollbackInput, migrateRollback } from '../workspace/migrations/migrate-rollback.js';
import type { ProgressTick } from '../workspace/progress-tick.js';
import type { RunOptions } from '../workspace/run-options.js';
import {
  driftCheckInputSchema,
  driftRepairInputSchema,
  migrateApplyInputSchema,
  migrateRollbackInputSchema,
  refsRepairInputSchema,
  refsScanInputSchema,
} from './job-input-schemas.js';
import type { ProgressStep } from './progress-meter.js';

/** What a job runs: one library entry point each. */
export type JobKind =
  | 'migrate.apply'
  | 'migrate.rollback'
  | 'refs.scan'
  | 'refs.repair'
  | 'drift.check'
  | 'drift.repair';

export const jobKinds: readonly JobKind[] = [
  'migrate.apply',
  'migrate.rollback',
  'refs.scan',
  'refs.repair',
  'drift.check',
  'drift.repair',
];

/**
 * How the job manager runs a kind: its input schema, the entry point, how its events read as
 * progress, and how its result says it stopped on request. `pausable` kinds stop at a batch
 * boundary when their signal is aborted; `refs.repair` takes no signal (it is resumable by
 * running it again, but cannot be paused), so the manager refuses to pause it.
 */
export interface JobKindDefinition {
  readonly schema: object;
  readonly pausable: boolean;
  /** Runs under the `migrate` lease: the manager refuses to start while another run holds it. */
  readonly migration: boolean;
  run(config: ResolvedConfig, input: JsonObject, options: RunOptions<unknown>): Promise<unknown>;
  progress(event: unknown, config: ResolvedConfig): ProgressStep | undefined;
  /** True when the result says the job stopped on request, checkpointed. */
  paused(result: unknown): boolean;
  planHash(result: unknown): string | undefined;
}

type Options<E> = RunOptions<E>;
const none = () => undefined;
/** A migration's report says it stopped on request, checkpointed. */
const reportPaused = (result: unknown) =>
  (result as { report: { status: string } }).report.status === 'paused';
/** A scan's, drift check's or drift repair's result says it stopped on request. */
const interrupted = (result: unknown) => (result as { interrupted?: boolean }).interrupted === true;

export const jobKindDefinitions: Readonly<Record<JobKind, JobKindDefinition>> = {
  'migrate.apply': {
    schema: migrateApplyInputSchema,
    pausable: true,
    migration: true,
    run: (config, input, options) =>
      migrateApply(config, input as MigrateApplyInput, options as Options<MigrationEvent>),
    progress: (event) => migrationStep(event as MigrationEvent),
    paused: reportPaused,
    planHash: (result) => (result as { report: { planHash?: string } }).report.planHash,
  },
  'migrate.rollback': {
    schema: migrateRollbackInputSchema,
    pausable: true,
    migration: true,
    run: (config, input, options) =>
      migrateRollback(config, input as MigrateRollbackInput, options as Options<MigrationEvent>),
    progress: (event) => migrationStep(event as MigrationEvent),
    paused: reportPaused,
    planHash: none,
  },
  'refs.scan': {
    schema: refsScanInputSchema,
    pausable: true,
    migration: false,
    run: (config, input, options) =>
      refsScan(config, input as RefsScanInput, options as Options<RefsScanEvent>),
    progress: (event, config) => scanStep(event as RefsScanEvent, config),
    paused: interrupted,
    planHash: none,
  },
  'refs.repair': {
    schema: refsRepairInputSchema,
    pausable: false,
    migration: false,
    run: (config, input, options) =>
      refsRepair(config, input as RefsRepairInput, options as Options<ProgressTick>),
    progress: (event) => tickStep(event as ProgressTick),
    paused: () => false,
    planHash: none,
  },
  'drift.check': {
    schema: driftCheckInputSchema,
    pausable: true,
    migration: false,
    run: (config, input, options) =>
      driftCheck(config, driftCheckInput(input), options as Options<DriftCheckEvent>),
    progress: (event) => {
      const e = event as DriftCheckEvent;
      if (e.type === 'progress') return tickStep(e);
      const { report } = e;
      return { part: report.derived, done: report.scanned, stage: `checked ${report.derived}` };
    },
    paused: interrupted,
    planHash: none,
  },
  'drift.repair': {
    schema: driftRepairInputSchema,
    pausable: true,
    migration: false,
    run: (config, input, options) =>
      driftRepair(config, input as DriftRepairInput, options as Options<DriftRepairEvent>),
    progress: (event) => {
      const e = event as DriftRepairEvent;
      if (e.type === 'progress') return tickStep(e);
      if (e.type !== 'repaired') return undefined;
      return { part: e.report.derived, done: e.report.examined, stage: `repaired ${e.report.derived}` };
    },
    paused: interrupted,
    planHash: none,
  },
};

/** True for a kind the manager knows. */
export function isJobKind(kind: string): kind is JobKind {
  return (jobKinds as readonly string[]).includes(kind);
}

/**
 * A phase's tick of the library's progress events, as the meter counts it: the count of its part;
 * the stage stays what the kind's own events named (`scan <reference>`, `checked <derived>`).
 */
function tickStep(tick: ProgressTick): ProgressStep {
  return { part: tick.phase, done: tick.done };
}

function migrationStep(event: MigrationEvent): ProgressStep | undefined {
  if (event.type !== 'progress') return undefined;
  const { changed, skipped, failed } = event.counts;
  const counted = event.stage === 'canary' || event.stage === 'rest';
  return {
    part: event.migration,
    done: changed + skipped + failed,
    stage: `${event.migration} ${event.stage} ${event.collection}`,
    ...(counted ? { collection: event.collection } : {}),
  };
}

function scanStep(event: RefsScanEvent, config: ResolvedConfig): ProgressStep | undefined {
  const collection = (reference: string) => config.references.get(reference)?.collection;
  switch (event.type) {
    case 'started': {
      const source = collection(event.reference);
      return {
        stage: `scan ${event.reference}`,
        ...(source ? { collection: source, part: event.reference } : {}),
      };
    }
    case 'progress':
      // The tick's phase is the reference; the stage reads as the other events of the scan say it.
      return { ...tickStep(event), stage: `scan ${event.phase}` };
    case 'waiting':
      return { stage: `waiting for the lease of ${event.reference} (held by ${event.holder})` };
    case 'checkpoint':
      return { part: event.reference, done: event.scanned, stage: `scan ${event.reference}` };
    case 'scanned':
    case 'interrupted':
      return { part: event.report.reference, done: event.report.scanned };
    case 'rechecked':
      return {
        part: event.report.reference,
        done: event.report.checked,
        stage: `recheck ${event.report.reference}`,
      };
  }
}

/** A drift check's JSON input as the entry point takes it: `where` parsed by the filter language. */
function driftCheckInput(input: JsonObject): DriftCheckInput {
  const { where, ...rest } = input;
  return {
    ...(rest as Omit<DriftCheckInput, 'where'>),
    ...(where === undefined ? {} : { where: parseFilter(where as Filter) }),
  };
}
