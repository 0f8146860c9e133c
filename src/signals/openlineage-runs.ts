import { randomUUID } from 'node:crypto';
import type { MigrationEvent } from '../migrations/apply/migration-events.js';
import type { LineageEvent, MigrationStarted } from '../migrations/lineage.js';
import {
  type BaseFacet,
  errorMessageRunFacetSchemaURL,
  facet,
  type LineageDataset,
  openLineageSchemaURL,
  outputStatisticsFacetSchemaURL,
  parentRunFacetSchemaURL,
  type RunEvent,
  type RunEventType,
  stewardFacetSchema,
  stewardProducer,
} from './openlineage-event.js';

/** How a migration job ended, as the library layer tells {@link OpenLineageRuns.close}. */
export interface MigrationRunEnd {
  /** `done` when every run that started has finished; `paused` aborts what is open; the rest fail it. */
  readonly outcome: 'done' | 'paused' | 'gate-failed' | 'rolled-back' | 'error';
  /** Why, for the FAIL events' ErrorMessageRunFacet. */
  readonly message?: string;
  /** The approvals the apply run went on (its report's `approvals`), a facet of the migration runs. */
  readonly approvals?: Readonly<Record<string, unknown>>;
  /** Where the audit log ends now, `<seq>:<hash>`, for the runs that did not record their own. */
  readonly auditHead?: string;
  /** ISO 8601. */
  readonly at: string;
}

interface OpenRun {
  readonly runId: string;
  readonly job: string;
  readonly started: MigrationStarted;
  readonly parent?: OpenRun;
  /** The stage's `lineage` event, once it has finished; the migration run completes at close. */
  finished?: LineageEvent;
}

/**
 * Turns the events of an apply or rollback into OpenLineage RunEvents, one START and one of
 * COMPLETE, FAIL or ABORT per run. Each migration applied is a run of job `migrate.<id>` with a
 * child run per stage, `migrate.<id>.canary` and `migrate.<id>.apply`, that names it in its
 * ParentRunFacet; a rollback is a run of `migrate.<id>.rollback`, a child of the migration run
 * when a failed gate rolled it back automatically. Datasets are the collections written:
 * namespace the store's name in the config, name the collection. Pure: it returns the events and
 * sends nothing (the publisher does).
 */
export class OpenLineageRuns {
  private migration: OpenRun | undefined;
  private stage: (OpenRun & { readonly stage: string }) | undefined;
  private readonly finished: OpenRun[] = [];
  private gateFailure: string | undefined;

  constructor(private readonly options: { readonly namespace: string; readonly newRunId?: () => string }) {}

  /** The RunEvents a migration event starts or ends. */
  on(event: MigrationEvent): RunEvent[] {
    switch (event.type) {
      case 'started':
        return event.started.direction === 'up'
          ? this.startMigration(event.started)
          : this.startRollback(event.started);
      case 'progress':
        return event.stage === 'canary' || event.stage === 'rest' ? this.enterStage(event.stage) : [];
      case 'gate':
        if (!event.result.ok)
          this.gateFailure ??= `gate ${event.result.gate} failed: ${event.result.message}`;
        return [];
      case 'lineage':
        return this.finish(event.lineage);
    }
  }

  /**
   * The events that end every run still open when the job returned or threw, and the COMPLETE
   * of each migration run that finished (held until now so it can carry the approvals).
   */
  close(end: MigrationRunEnd): RunEvent[] {
    const events: RunEvent[] = [];
    const failed = end.outcome === 'done' ? undefined : (this.gateFailure ?? end.message ?? end.outcome);
    if (this.stage) events.push(this.ending(this.stage, end, failed));
    this.stage = undefined;
    for (const run of this.finished) events.push(this.completed(run, end));
    this.finished.length = 0;
    if (this.migration) events.push(this.ending(this.migration, end, failed));
    this.migration = undefined;
    return events;
  }

  private startMigration(started: MigrationStarted): RunEvent[] {
    const events = this.migration
      ? this.close({ outcome: 'error', at: started.at, message: 'superseded' })
      : [];
    this.gateFailure = undefined;
    this.migration = this.open(`migrate.${started.migration}`, started);
    return [...events, this.event('START', this.migration, started.at, this.planFacets(this.migration))];
  }

  private startRollback(started: MigrationStarted): RunEvent[] {
    const parent = this.migration?.started.migration === started.migration ? this.migration : undefined;
    const events = this.stage
      ? [
          this.ending(
            this.stage,
            { outcome: 'rolled-back', at: started.at },
            this.gateFailure ?? 'rolled back',
          ),
        ]
      : [];
    this.stage = {
      ...this.open(`migrate.${started.migration}.rollback`, started, parent),
      stage: 'rollback',
    };
    return [...events, this.event('START', this.stage, started.at, this.planFacets(this.stage))];
  }

  /** The canary pass or the rest has begun: the stage before it (if any) completed, this one started. */
  private enterStage(stage: 'canary' | 'rest'): RunEvent[] {
    const migration = this.migration;
    const name = stage === 'rest' ? 'apply' : 'canary';
    if (!migration || this.stage?.stage === name) return [];
    const at = new Date().toISOString();
    const events = this.stage ? [this.event('COMPLETE', this.stage, at, this.planFacets(this.stage))] : [];
    this.stage = {
      ...this.open(`migrate.${migration.started.migration}.${name}`, migration.started, migration),
      stage: name,
    };
    return [...events, this.event('START', this.stage, at, this.planFacets(this.stage))];
  }

  /** A stage finished (`lineage`): its run completes with what it wrote; the migration run waits for close. */
  private finish(lineage: LineageEvent): RunEvent[] {
    const events: RunEvent[] = [];
    if (this.stage) {
      const facets = { ...this.planFacets(this.stage), ...this.auditHeadFacet(lineage.auditHead) };
      events.push(this.event('COMPLETE', this.stage, lineage.at, facets, lineage));
      this.stage = undefined;
    }
    if (this.migration && lineage.type === 'migration.applied') {
      this.migration.finished = lineage;
      this.finished.push(this.migration);
      this.migration = undefined;
    }
    return events;
  }

  private completed(run: OpenRun, end: MigrationRunEnd): RunEvent {
    const lineage = run.finished!;
    const facets = {
      ...this.planFacets(run),
      ...this.approvalsFacet(end.approvals),
      ...this.auditHeadFacet(lineage.auditHead),
    };
    return this.event('COMPLETE', run, lineage.at, facets, lineage);
  }

  /** ABORT for a paused job, FAIL with an error message for any other unfinished end. */
  private ending(run: OpenRun, end: MigrationRunEnd, message: string | undefined): RunEvent {
    const type: RunEventType = end.outcome === 'paused' ? 'ABORT' : 'FAIL';
    const facets: Record<string, BaseFacet> = {
      ...this.planFacets(run),
      ...(run.parent ? {} : this.approvalsFacet(end.approvals)),
      ...this.auditHeadFacet(end.auditHead),
    };
    if (type === 'FAIL')
      facets.errorMessage = facet(errorMessageRunFacetSchemaURL, {
        message: message ?? 'failed',
        programmingLanguage: 'JavaScript',
      });
    return this.event(type, run, end.at, facets);
  }

  private open(job: string, started: MigrationStarted, parent?: OpenRun): OpenRun {
    return { runId: (this.options.newRunId ?? randomUUID)(), job, started, ...(parent ? { parent } : {}) };
  }

  private event(
    eventType: RunEventType,
    run: OpenRun,
    eventTime: string,
    facets: Record<string, BaseFacet>,
    lineage?: LineageEvent,
  ): RunEvent {
    const { namespace } = this.options;
    const parent: Record<string, BaseFacet> = run.parent
      ? {
          parent: facet(parentRunFacetSchemaURL, {
            run: { runId: run.parent.runId },
            job: { namespace, name: run.parent.job },
          }),
        }
      : {};
    return {
      eventType,
      eventTime,
      run: { runId: run.runId, facets: { ...parent, ...facets } },
      job: { namespace, name: run.job },
      inputs: datasets(run.started),
      outputs: datasets(run.started, lineage),
      producer: stewardProducer,
      schemaURL: openLineageSchemaURL,
    };
  }

  private planFacets(run: OpenRun): Record<string, BaseFacet> {
    const s = run.started;
    return {
      steward_plan: facet(stewardFacetSchema('StewardPlanRunFacet'), {
        planHash: s.planHash,
        migration: s.migration,
        direction: s.direction,
        fromVersion: s.fromVersion,
        toVersion: s.toVersion,
      }),
    };
  }

  private approvalsFacet(approvals: MigrationRunEnd['approvals']): Record<string, BaseFacet> {
    if (!approvals) return {};
    return { steward_approvals: facet(stewardFacetSchema('StewardApprovalsRunFacet'), approvals) };
  }

  private auditHeadFacet(head: string | undefined): Record<string, BaseFacet> {
    const match = head === undefined ? null : /^(\d+):([0-9a-f]{64})$/.exec(head);
    if (!match) return {};
    return {
      steward_auditHead: facet(stewardFacetSchema('StewardAuditHeadRunFacet'), {
        seq: Number(match[1]),
        hash: match[2],
      }),
    };
  }
}

/** The collections a run reads and writes; with the finished stage, how many documents it changed in each. */
function datasets(started: MigrationStarted, lineage?: LineageEvent): LineageDataset[] {
  return started.collections.map((name) => {
    const changed = lineage?.collections.find((c) => c.collection === name);
    return {
      namespace: started.store,
      name,
      ...(changed
        ? {
            outputFacets: {
              outputStatistics: facet(outputStatisticsFacetSchemaURL, { rowCount: changed.documents }),
            },
          }
        : {}),
    };
  });
}
