import { parseFilter } from '../../src/core/filter.js';
import type { JsonObject } from '../../src/core/json.js';
import { checkDrift } from '../../src/derived/check-drift.js';
import type { ResolvedDerived } from '../../src/derived/derived.js';
import { rebuildDerived } from '../../src/derived/rebuild-derived.js';
import type { SourceStrategy } from '../../src/derived/source-values.js';
import { StewardError } from '../../src/errors/steward-error.js';
import { openLedger } from '../../src/ledger/ledger.js';
import { scanDocuments, scanPages } from '../../src/stores/scan-pages.js';
import type { Collection, Store, WriteOp } from '../../src/stores/store.js';
import type { PhaseResult } from '../measure-phase.js';
import type { BenchContext, Scenario } from '../scenario.js';

const tasksSpec = { name: 'bench_drift_tasks', keyField: 'id' };
const countsSpec = { name: 'bench_drift_counts', keyField: 'id' };
const tasksPerCase = 10;
/** Small groups, so that with one counter in a thousand drifted most groups are equal. */
const hashGroupSize = 100;
const statuses = ['open', 'in_progress', 'done', 'cancelled'];

/** An open-task counter over `bench_drift_tasks`, as a user would declare it. */
const counter: ResolvedDerived = {
  name: 'bench_drift_counts.openTaskCount',
  collection: 'bench_drift_counts',
  field: 'openTaskCount',
  kind: 'counter',
  source: {
    collection: 'bench_drift_tasks',
    link: { by: 'key', field: 'caseId' },
    where: parseFilter({ status: { $in: ['open', 'in_progress'] } }),
  },
  transform: { type: 'count' },
  refresh: 'asynchronous',
  onFailure: 'mark-stale',
  validation: 'exact',
  repair: 'recompute',
  consumers: [],
  snapshot: false,
  version: 1,
};

/**
 * `drift check --method exact` of a counter: N tasks (sources) over N/10 case counters (the
 * derived collection), one counter in a thousand drifted, as a ratio to a raw scan of both
 * collections through the seam in the same run. Then once each: the per-page strategy (one
 * filtered source scan per page of counters) and the hash method, to compare the strategies.
 */
export const scenario: Scenario = {
  description:
    'drift check exact of a counter (N tasks, N/10 counters), ratio to a raw scan of both; per-page and hash once',
  async run(context) {
    const store = await context.seam();
    const cases = Math.max(1, Math.floor(context.options.docs / tasksPerCase));
    context.log(`loading ${context.options.docs} tasks and ${cases} counters (not measured)`);
    const drifted = await load(context, store, cases);
    const ledger = await openLedger(store, { actor: 'bench', namespacePrefix: 'bench_drift_' });
    const tasks = store.collection(tasksSpec);
    const counts = store.collection(countsSpec);
    const total = context.options.docs + cases;
    const check = (strategy: SourceStrategy, method: 'exact' | 'hash' = 'exact') =>
      context.measure(`drift-check-${method === 'hash' ? 'hash' : strategy}`, async (phase) => {
        const report = await phase.time(() =>
          checkDrift({
            derived: counter,
            target: counts,
            source: tasks,
            ledger,
            strategy,
            method,
            batch: 1000,
            groupSize: hashGroupSize,
          }),
        );
        if (report.drift !== drifted)
          throw new StewardError(
            'store.failed',
            `drift check found ${report.drift} drifted counters, expected ${drifted}`,
          );
        context.log(
          `${method}/${strategy}: ${report.drift} drift, ${report.hash ? `${report.hash.fetched} fetched` : ''}`,
        );
        return total;
      });
    try {
      const raws: PhaseResult[] = [];
      const checks: PhaseResult[] = [];
      for (let round = 0; round < context.options.rounds; round++) {
        raws.push(await context.measure('raw-scan', (phase) => rawScan(phase, tasks, counts)));
        checks.push(await check('map'));
      }
      context.compare(checks, raws);
      // Per page, each filtered source scan reads the whole source where the key has no index:
      // quadratic, so only measured on small runs, to show why `map` is the default.
      if (context.options.docs <= 20_000) await check('per-page');
      await check('map', 'hash');
      await rebuildRounds(context, ledger, tasks, counts, total, cases);
    } finally {
      if (!context.options.keep) {
        for (const spec of [tasksSpec, countsSpec]) await store.dropCollection(spec);
        await ledger.drop();
      }
    }
  },
};

/**
 * `rebuild --all --version N` of the counter, which rewrites every counter (each round raises the
 * version, so every document is behind and gets its value and metadata written, with its
 * before-image, batch audit and checkpoint), against the same work done raw through the seam: a
 * scan of the tasks and of the counters, every counter written back as a plain replace.
 */
async function rebuildRounds(
  context: BenchContext,
  ledger: Awaited<ReturnType<typeof openLedger>>,
  tasks: Collection,
  counts: Collection,
  total: number,
  cases: number,
) {
  const raws: PhaseResult[] = [];
  const rebuilds: PhaseResult[] = [];
  for (let round = 0; round < context.options.rounds; round++) {
    raws.push(
      await context.measure('raw-scan-write', async (phase) => {
        await rawScan(phase, tasks);
        for await (const page of scanPages(counts, { limit: 1000 }))
          await phase.time(() => counts.write(page.docs.map((doc) => ({ type: 'replace', doc }))));
        return total;
      }),
    );
    rebuilds.push(
      await context.measure('rebuild-all', async (phase) => {
        const report = await phase.time(() =>
          rebuildDerived({
            derived: { ...counter, version: round + 2 },
            target: counts,
            source: tasks,
            ledger,
            scope: { all: true },
            restamp: true,
            batch: 1000,
          }),
        );
        if (report.written !== cases)
          throw new StewardError(
            'store.failed',
            `rebuild wrote ${report.written} counters, expected ${cases}`,
          );
        return total;
      }),
    );
  }
  context.compare(rebuilds, raws);
}

async function rawScan(
  phase: { time<T>(w: () => Promise<T>): Promise<T>; poll(): void },
  ...collections: Collection[]
) {
  let seen = 0;
  for (const collection of collections)
    await phase.time(async () => {
      for await (const _doc of scanDocuments(collection, { limit: 1000 })) {
        seen++;
        if (seen % 1000 === 0) phase.poll();
      }
    });
  return seen;
}

/** Writes the tasks and the counters (correct except one in a thousand); returns how many drifted. */
async function load(context: BenchContext, store: Store, cases: number): Promise<number> {
  for (const spec of [tasksSpec, countsSpec]) {
    await store.dropCollection(spec);
    await store.ensureCollection(spec);
  }
  const open = new Array<number>(cases).fill(0);
  const batch = context.options.batch;
  const tasks = store.collection(tasksSpec);
  for (let start = 0; start < context.options.docs; start += batch) {
    const ops: WriteOp[] = [];
    for (let i = start; i < Math.min(start + batch, context.options.docs); i++) {
      const c = (i * 7919) % cases;
      const status = statuses[(i * 31) % statuses.length]!;
      if (status === 'open' || status === 'in_progress') open[c]!++;
      ops.push({ type: 'insert', doc: { id: `t${i}`, caseId: `c${c}`, status, title: `task ${i}` } });
    }
    await tasks.write(ops);
  }
  // As in any application that lists a case's tasks, the link field is indexed where the store
  // can: re-reading the suspects' sources is then a lookup, not a scan (see maxInValues).
  if (store.capabilities.secondaryIndexes) await tasks.createIndex({ name: 'by_case', fields: ['caseId'] });
  let drifted = 0;
  const counts = store.collection(countsSpec);
  for (let start = 0; start < cases; start += batch) {
    const ops: WriteOp[] = [];
    for (let c = start; c < Math.min(start + batch, cases); c++) {
      const drift = (c + 1) % Math.min(1000, cases) === 0; // one in a thousand, at least one
      if (drift) drifted++;
      const doc: JsonObject = { id: `c${c}`, openTaskCount: open[c]! + (drift ? 1 : 0), label: `case ${c}` };
      ops.push({ type: 'insert', doc });
    }
    await counts.write(ops);
  }
  return drifted;
}
