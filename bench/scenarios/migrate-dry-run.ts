import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { applyMigrations } from '../../src/migrations/apply/apply-migrations.js';
import { runDryRun } from '../../src/migrations/dry-run/run-dry-run.js';
import type { DryRunReport } from '../../src/migrations/report/dry-run-report.js';
import type { PhaseResult } from '../measure-phase.js';
import { expectCount, type MigrationBench, migrationBench } from '../migration-workload.js';
import type { BenchContext, Scenario } from '../scenario.js';

/**
 * Issue 17's two dry-run targets in one run, over `--docs N` task documents with a sample of
 * S = N / 10:
 * - `dry-run` (a sample of S of the N documents, copy, `up`, validators, drop) against
 *   `apply-sample`, the real apply of a collection of S documents (what the sample stands for):
 *   target, at most 1.5x;
 * - the dry run's estimate of the full apply (the report's `eta`) against `apply-full`, the real
 *   apply of the N documents, measured right after: target, within a factor of 1.5 either way.
 * Defaults that take a couple of minutes: SQLite `--docs 100000`, DynamoDB Local `--docs 20000`,
 * FerretDB `--docs 2000`.
 */
export const scenario: Scenario = {
  description:
    'dry run of a 1/10 sample against apply of the sample, and its ETA against the real apply of N',
  async run(context) {
    const n = context.options.docs;
    const s = Math.max(1, Math.floor(n / 10));
    const load = new LoadNotes();
    load.at('apply-sample');
    const applySample = await applyOnce(sized(context, s), 'apply-sample');
    const bench = await migrationBench(context);
    try {
      let report: DryRunReport | undefined;
      const stages = new StageClock();
      load.at('dry-run');
      const dryRun = await context.measure('dry-run', async (phase) => {
        report = await dryRunSample(bench, s, (label) => {
          stages.at(label);
          phase.poll();
        });
        stages.at('after validators, dropping the sandbox');
        stages.at('end');
        return report.throughput.documents;
      });
      context.record('dry-run stages (wall ms)', stages.spans());
      load.at('apply-full');
      const applyFull = await measureApply(context, bench, 'apply-full', n);
      load.at('end');
      context.record('load average (1 min) at the start of each phase', load.notes);
      context.compare([dryRun], [applySample]);
      noteEta(context, report!, applyFull);
    } finally {
      await bench.cleanup();
    }
  },
};

/** The same context over `docs` documents (the first of the same generated ones). */
function sized(context: BenchContext, docs: number): BenchContext {
  return { ...context, options: { ...context.options, docs } };
}

/** Loads a collection of the context's size, applies the migration once, measured, and drops it. */
async function applyOnce(context: BenchContext, label: string): Promise<PhaseResult> {
  const bench = await migrationBench(context);
  try {
    return await measureApply(context, bench, label, context.options.docs);
  } finally {
    await bench.cleanup();
  }
}

async function measureApply(
  context: BenchContext,
  bench: MigrationBench,
  label: string,
  docs: number,
): Promise<PhaseResult> {
  const stages = new StageClock();
  const measured = await context.measure(label, async (phase) => {
    stages.at('before the first batch');
    const report = await applyMigrations({
      ...bench.applyInput(),
      onEvent: (event) => {
        if (event.type === 'progress') stages.done(`${event.stage} pass`);
        else if (event.type === 'gate') stages.at(`${event.result.stage} gates`);
        phase.poll();
      },
    });
    stages.at('end');
    if (report.status !== 'applied')
      throw new Error(`apply ended ${report.status}: ${JSON.stringify(report.refusal)}`);
    return expectCount(label, report.migrations[0]!.counts.changed, docs);
  });
  // Where apply's time goes: the ETA reckons with its passes (what the dry run times), not with
  // what comes before the first batch or with the gates.
  context.record(`${label} stages (wall ms)`, stages.spans());
  return measured;
}

/** The dry run `steward migrate dry-run --sample S` does, on the bench's collection. */
async function dryRunSample(
  bench: MigrationBench,
  sample: number,
  onProgress: (label: string) => void,
): Promise<DryRunReport> {
  const input = bench.applyInput();
  const collection = input.target.collection('tasks');
  const report = await runDryRun({
    planHash: 'bench',
    canaryPercent: input.options.canaryPercent,
    migrations: input.migrations,
    targets: new Map([
      [
        'tasks',
        {
          name: 'tasks',
          storeName: 'bench',
          store: input.target.store,
          spec: collection.spec,
          versionField: collection.versionField,
        },
      ],
    ]),
    otherCollection: (name) => input.target.collection(name).handle,
    contracts: input.contracts,
    sandboxPrefix: 'bench_dryrun_',
    sample,
    batchSize: input.options.batchSize,
    onProgress,
  });
  if (!report.ok) throw new Error(`the dry run failed: ${JSON.stringify(report.totals)}`);
  return report;
}

/** The ETA beside the apply it estimated: the ratio the target bounds, and how sure the ETA said it was. */
function noteEta(context: BenchContext, report: DryRunReport, applyFull: PhaseResult): void {
  const actual = applyFull.wallMs / 1000;
  context.record('dry-run estimate', report.estimate);
  if (report.eta) {
    context.record('dry-run eta', report.eta);
    const collection = report.migrations[0]!.collections[0]!.eta!;
    // Apply's time per document as the dry run timed it at the sample's size, beside the real one's.
    context.record('apply ms per document: dry run at the sample / apply-full (wall)', [
      collection.applyMsPerDocument ?? null,
      Math.round((applyFull.wallMs / applyFull.docs) * 10_000) / 10_000,
    ]);
    const { method: _method, ...figures } = report.migrations[0]!.collections[0]!.eta!;
    context.record('dry-run eta of the collection', figures);
    context.record('eta / apply-full (wall)', Math.round((report.eta.seconds / actual) * 100) / 100);
    context.record('apply-full within the eta range', report.eta.low <= actual && actual <= report.eta.high);
  }
  context.record('estimate / apply-full (wall)', Math.round((report.estimate.seconds / actual) * 100) / 100);
}

/** The machine's 1-minute load average as each phase starts: the figures move with it. */
class LoadNotes {
  readonly notes: Record<string, number> = {};

  at(phase: string): void {
    this.notes[phase] = Math.round(loadavg()[0]! * 100) / 100;
  }
}

/**
 * Where the dry run's time goes, from its progress labels: each stage from its first event to the
 * next stage's. The pass's end is taken as the report's `durationMs` after its start.
 */
class StageClock {
  private readonly starts: { label: string; at: number }[] = [];

  at(label: string): void {
    if (this.starts.at(-1)?.label !== label) this.starts.push({ label, at: performance.now() });
  }

  /**
   * Marks the end of a stage's last batch: what follows until the next stage (apply's gates,
   * computed before their event) is counted as `after <label>`.
   */
  done(label: string): void {
    // Another batch of the stage: the time since the last one was the stage's.
    if (this.starts.at(-1)?.label === `after ${label}`) this.starts.pop();
    this.at(label);
    this.starts.push({ label: `after ${label}`, at: performance.now() });
  }

  spans(): Record<string, number> {
    const out: Record<string, number> = {};
    this.starts.slice(0, -1).forEach((s, i) => {
      out[s.label] = (out[s.label] ?? 0) + Math.round(this.starts[i + 1]!.at - s.at);
    });
    return out;
  }
}
