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
    const applySample = await applyOnce(sized(context, s), 'apply-sample');
    const bench = await migrationBench(context);
    try {
      let report: DryRunReport | undefined;
      const stages = new StageClock();
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
      const applyFull = await measureApply(context, bench, 'apply-full', n);
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
  return context.measure(label, async (phase) => {
    const report = await applyMigrations({ ...bench.applyInput(), onEvent: () => phase.poll() });
    if (report.status !== 'applied')
      throw new Error(`apply ended ${report.status}: ${JSON.stringify(report.refusal)}`);
    return expectCount(label, report.migrations[0]!.counts.changed, docs);
  });
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
    const { method: _method, ...figures } = report.migrations[0]!.collections[0]!.eta!;
    context.record('dry-run eta of the collection', figures);
    context.record('eta / apply-full (wall)', Math.round((report.eta.seconds / actual) * 100) / 100);
    context.record('apply-full within the eta range', report.eta.low <= actual && actual <= report.eta.high);
  }
  context.record('estimate / apply-full (wall)', Math.round((report.estimate.seconds / actual) * 100) / 100);
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

  spans(): Record<string, number> {
    const out: Record<string, number> = {};
    this.starts.slice(0, -1).forEach((s, i) => {
      out[s.label] = (out[s.label] ?? 0) + Math.round(this.starts[i + 1]!.at - s.at);
    });
    return out;
  }
}
