import type {
  ApplyEta,
  CollectionDryRun,
  DryRunEta,
  DryRunReport,
  MigrationDryRun,
  SandboxSummary,
} from '../report/dry-run-report.js';

/** The report of a finished dry run: the migrations' results, totals, throughput and estimate. Pure. */
export function summarizeDryRun(input: {
  readonly planHash: string;
  readonly createdAt: Date;
  readonly sample: number | undefined;
  readonly sandboxes: readonly SandboxSummary[];
  readonly migrations: readonly MigrationDryRun[];
}): DryRunReport {
  const { migrations } = input;
  const all = migrations.flatMap((m) => m.collections);
  const sum = (f: (c: CollectionDryRun) => number) => all.reduce((n, c) => n + f(c), 0);
  const documents = sum((c) => c.examined);
  const seconds = sum((c) => c.durationMs) / 1000;
  const perSecond = documents / Math.max(seconds, 0.001);
  return {
    format: 'steward.migrations.dry-run/1',
    planHash: input.planHash,
    createdAt: input.createdAt.toISOString(),
    ok: migrations.every((m) => m.ok),
    sample: input.sample ?? null,
    sandboxes: input.sandboxes,
    migrations,
    totals: {
      changed: sum((c) => c.changed),
      unchanged: sum((c) => c.unchanged),
      failed: sum((c) => c.failed),
    },
    throughput: { documents, seconds: round(seconds), perSecond: round(perSecond) },
    estimate: { documents: sum((c) => c.estimatedDocuments), seconds: round(sum((c) => c.estimatedSeconds)) },
    ...etaOf(all),
  };
}

/** The collections' ETAs summed; absent when a collection has none (a report made without them). */
function etaOf(all: readonly CollectionDryRun[]): { eta?: DryRunEta } {
  const etas = all.flatMap((c) => (c.eta ? [c.eta] : []));
  if (etas.length === 0 || etas.length < all.length) return {};
  const sum = (f: (e: ApplyEta) => number) => Math.round(etas.reduce((n, e) => n + f(e), 0) * 1000) / 1000;
  return {
    eta: {
      documents: sum((e) => e.documents),
      seconds: sum((e) => e.seconds),
      low: sum((e) => e.low),
      high: sum((e) => e.high),
      method: [...new Set(etas.map((e) => e.method))].join('; '),
    },
  };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
