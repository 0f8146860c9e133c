/**
 * Two versions of steward (two checkouts, `--a` and `--b`) doing apply then rollback of the same N
 * task documents, in one process, round by round in alternating order (a b, b a, ...), printing
 * the CPU of each and, over the rounds after the first (warm-up), each side's median, the median
 * of b's CPU over a's in the same round, and in how many rounds b took less.
 *
 *   node --import tsx bench/tools/ab-apply-rollback.ts --a <checkout> --b <checkout> [--docs N] [--rounds R] [--batch B]
 *     [--store sqlite|dynamodb] [--server-pid P]
 *
 * `--batch` is apply's batch size (5,000 as in the bench rows; apply's default is 500). With
 * `--store dynamodb` (the endpoint from `STEWARD_BENCH_DYNAMODB_ENDPOINT`, each side's tables
 * under its own prefix) and `--server-pid` (DynamoDB Local's java process), the CPU counted is
 * this process's and the server's together: there the server's is most of it.
 *
 * Why one process (issue 17, tenth pass): on this 2-core machine the same code's apply moved by
 * ±15-25% from one process to the next, more than a lever of 5-10% changes, so runs of each
 * version in their own processes, alternated, could not tell such a lever from noise. Here both
 * versions share the process's state (JIT, heap size, the machine's moment), and each round is a
 * pair. Each checkout needs its own `node_modules` (a symlink to another's will do). Writes
 * nothing but temporary SQLite files or DynamoDB tables, dropped at the end.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { processCpuMs } from '../measure-phase.js';

const { values } = parseArgs({
  options: {
    a: { type: 'string' },
    b: { type: 'string' },
    docs: { type: 'string', default: '100000' },
    rounds: { type: 'string', default: '9' },
    batch: { type: 'string', default: '5000' },
    store: { type: 'string', default: 'sqlite' },
    'server-pid': { type: 'string' },
  },
});
const store = values.store;
if (store !== 'sqlite' && store !== 'dynamodb') {
  console.error('ab-apply-rollback: --store must be sqlite or dynamodb');
  process.exit(2);
}
const serverPid = values['server-pid'];
if (!values.a || !values.b) {
  console.error('ab-apply-rollback: --a <checkout> and --b <checkout> are required');
  process.exit(2);
}
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 2) {
  console.error('ab-apply-rollback: --rounds must be an integer of at least 2 (the first is warm-up)');
  process.exit(2);
}

/** One checkout's apply and rollback over its own SQLite file, ready to run. */
interface Side {
  readonly name: 'a' | 'b';
  apply(): Promise<number>;
  rollback(): Promise<number>;
  close(): Promise<void>;
}

/** The server's CPU so far in ms; 0 without `--server-pid`. A pid that cannot be read stops the run. */
function serverCpuMs(): number {
  if (serverPid === undefined) return 0;
  const used = processCpuMs(serverPid);
  if (used === undefined) throw new Error(`ab-apply-rollback: cannot read /proc/${serverPid}/stat`);
  return used;
}

/** The CPU of `work` in ms (user + system, this process, and the server's where named). */
async function cpu(work: () => Promise<unknown>): Promise<number> {
  const start = process.cpuUsage();
  const server = serverCpuMs();
  await work();
  const used = process.cpuUsage(start);
  return Math.round((used.user + used.system) / 1000) + serverCpuMs() - server;
}

/**
 * Loads a checkout's own modules (src and bench) and sets up its workload as sqlite-task-bench.ts
 * does, from that checkout's modules (so not by calling it: a checkout may not have it).
 */
async function side(name: 'a' | 'b', checkout: string): Promise<Side> {
  const from = async (path: string) => import(pathToFileURL(resolve(checkout, path)).href);
  const { applyMigrations } = await from('src/migrations/apply/apply-migrations.ts');
  const { rollbackMigrations } = await from('src/migrations/rollback/rollback-migrations.ts');
  const { createBenchContext } = await from('bench/bench-context.ts');
  const { benchStoreConfig } = await from('bench/bench-stores.ts');
  const { migrationBench } = await from('bench/migration-workload.ts');
  const { taskBatches } = await from('bench/task-workloads.ts');
  // Spelled out here, not taken from a helper of this checkout's bench/: both checkouts get the
  // very same options, whatever their own bench/ holds.
  const options = {
    scenario: 'migrate-apply',
    store,
    docs: Number(values.docs),
    batch: Number(values.batch),
    seed: 'bench',
    rounds: 1,
    keep: false,
    mongoBatch: 50,
  };
  const config = benchStoreConfig(store, `ab-${name}-${process.pid}`);
  // Each side's tables under their own prefix: both set up the same collections.
  const own = config.kind === 'dynamodb' ? { ...config, tablePrefix: `steward_ab_${name}_` } : config;
  const context = createBenchContext(options, own);
  const bench = await migrationBench(context);
  const baseline = await context.baseline();
  await baseline.reset();
  for (const batch of taskBatches(options)) await baseline.write(batch);
  return {
    name,
    apply: () => cpu(() => applyMigrations(bench.applyInput())),
    rollback: () => cpu(() => rollbackMigrations(bench.rollbackInput())),
    async close() {
      await bench.cleanup();
      await context.close();
    },
  };
}

const median = (xs: readonly number[]): number => {
  const sorted = [...xs].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

const a = await side('a', values.a);
const b = await side('b', values.b);
try {
  const taken = {
    a: { apply: [] as number[], rollback: [] as number[] },
    b: { apply: [] as number[], rollback: [] as number[] },
  };
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? [a, b] : [b, a];
    const line: string[] = [];
    for (const s of order) {
      const apply = await s.apply();
      const rollback = await s.rollback();
      line.push(`${s.name}: apply ${apply}, rollback ${rollback}`);
      if (r > 0) {
        taken[s.name].apply.push(apply);
        taken[s.name].rollback.push(rollback);
      }
    }
    console.log(
      `round ${r + 1}${r === 0 ? ' (warm-up)' : ''}: ${line.join('; ')} ms CPU${serverPid ? " with the server's" : ''}`,
    );
  }
  for (const phase of ['apply', 'rollback'] as const) {
    const ratios = taken.b[phase].map((x, i) => x / taken.a[phase][i]!);
    const fewer = ratios.filter((x) => x < 1).length;
    console.log(
      `${phase}: a ${median(taken.a[phase])} ms, b ${median(taken.b[phase])} ms (medians of ${ratios.length}); ` +
        `b / a in the same round ${median(ratios).toFixed(3)} (median), b less in ${fewer} of ${ratios.length}`,
    );
  }
} finally {
  await a.close();
  await b.close();
}
