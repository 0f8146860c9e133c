import { readFileSync } from 'node:fs';
import { StewardError } from '../../src/errors/steward-error.js';
import { applyMigrations } from '../../src/migrations/apply/apply-migrations.js';
import { rollbackMigrations } from '../../src/migrations/rollback/rollback-migrations.js';
import type { MongoStoreConfig } from '../../src/stores/store-config.js';
import { plantedAt, plantedCount } from '../baselines/user-documents.js';
import {
  type Exactness,
  type MigrateMongoVariant,
  openUsersCollections,
  type UsersCollections,
} from '../baselines/users-collections.js';
import { median } from '../bench-context.js';
import { mongoCallCounts } from '../count-mongo-calls.js';
import type { PhaseResult } from '../measure-phase.js';
import type { BenchContext, Scenario } from '../scenario.js';
import { listeningPid } from '../server-pid.js';
import { stewardSide } from '../side-by-side-steward.js';

/**
 * migrate-mongo and steward side by side (issue 17): the same user documents (default 2,000, one
 * in fifty planted with what makes a hand-written `down` lossy) loaded three times into the
 * MongoDB-wire store, and the same migration (rename `status` to `state`, derive `active`) run
 * (a) by migrate-mongo, `up` then `down`, written with a cursor and `bulkWrite` of `updateOne` in
 * batches of `--mongo-batch` (default 50), (a') the same with `updateMany`, and (b) by steward: the
 * dry run of the plan with migrate-mongo's `down` (it must report the planted losses), then the
 * plan without that `down` approved, applied and rolled back (batches of `--batch`, default 500,
 * steward's own default). Per phase: wall, this process's CPU, the server's CPU, driver calls
 * (bench/count-mongo-calls.ts). After each side, every document is compared with the original as
 * canonical Extended JSON. Targets: steward's apply at least as fast as migrate-mongo's
 * bulk-write `up` in wall time and in CPU (with the server's), and steward's rollback exact where
 * migrate-mongo's `down` loses data. `--rounds` runs the three sides again that many times, each
 * over freshly loaded documents and a fresh ledger: the ratios are medians of the rounds, and the
 * exactness target must hold in every round.
 */
export const scenario: Scenario = {
  description: "migrate-mongo's up/down (bulkWrite, updateMany) beside steward's dry run, apply, rollback",
  defaults: { docs: 2000, batch: 500 },
  async run(context) {
    if (context.config.kind !== 'mongodb')
      throw new StewardError(
        'usage',
        'migrate-mongo-side-by-side runs on a MongoDB-wire store: --store mongodb (STEWARD_BENCH_MONGODB_URI)',
      );
    findServer(context, context.config);
    const driver = await openUsersCollections(context.config);
    const names = ['bench_sbs_users_mm_bulk', 'bench_sbs_users_mm_many', 'bench_sbs_users_steward'] as const;
    try {
      context.record('load average at start', loadAverage());
      const rounds: Round[] = [];
      for (let round = 1; round <= context.options.rounds; round++) {
        if (context.options.rounds > 1) context.log(`round ${round} of ${context.options.rounds}`);
        const bulk = await migrateMongoSide(context, driver, 'bulk-write', names[0]);
        const many = await migrateMongoSide(context, driver, 'update-many', names[1]);
        const steward = await stewardRun(context, driver, names[2]);
        context.record(`up results beside bulk-write up, round ${round} (documents whose data differ)`, {
          'update-many': differing(bulk.afterUp, many.afterUp),
          steward: differing(bulk.afterUp, steward.afterUp),
        });
        rounds.push({ bulk, many, steward });
      }
      context.record('load average at end', loadAverage());
      // steward's phase against each of migrate-mongo's, over the rounds.
      const pairs: [(r: Round) => PhaseResult, (r: Round) => PhaseResult][] = [
        [(r) => r.steward.apply, (r) => r.bulk.up],
        [(r) => r.steward.apply, (r) => r.many.up],
        [(r) => r.steward.rollback, (r) => r.bulk.down],
        [(r) => r.steward.rollback, (r) => r.many.down],
      ];
      for (const [steward, migrateMongo] of pairs)
        context.compare(rounds.map(steward), rounds.map(migrateMongo));
      recordTargets(context, rounds);
    } finally {
      if (!context.options.keep) for (const name of names) await driver.drop(name).catch(() => undefined);
      await driver.close();
    }
  },
};

interface SideResult {
  readonly afterUp: Map<string, string>;
  readonly exact: Exactness;
}

type MigrateMongoResult = SideResult & { up: PhaseResult; down: PhaseResult };
type StewardResult = SideResult & { apply: PhaseResult; rollback: PhaseResult; dryRunCaught: boolean };

/** One round: each side over its own fresh copy of the documents. */
interface Round {
  readonly bulk: MigrateMongoResult;
  readonly many: MigrateMongoResult;
  readonly steward: StewardResult;
}

/** migrate-mongo's `up` then `down` of one variant over a fresh copy of the documents. */
async function migrateMongoSide(
  context: BenchContext,
  driver: UsersCollections,
  variant: MigrateMongoVariant,
  name: string,
): Promise<MigrateMongoResult> {
  const { docs, seed, mongoBatch } = context.options;
  context.log(`loading ${docs} user documents into ${name} (not measured)`);
  await driver.load(name, seed, docs);
  const original = await driver.snapshot(name);
  const run = (direction: 'up' | 'down', version: number) =>
    counted(context, `migrate-mongo-${variant}-${direction}`, async () => {
      await driver.migrateMongo(direction, variant, name, mongoBatch);
      return driver.countAtVersion(name, version);
    });
  const up = await run('up', 2);
  const afterUp = await driver.snapshot(name);
  const down = await run('down', 1);
  const exact = await driver.compare(name, original);
  context.record(`exactness migrate-mongo-${variant} after up and down`, summary(exact));
  return { up, down, afterUp, exact };
}

/** steward's dry run (with migrate-mongo's `down`), approval, apply and rollback over a fresh copy. */
async function stewardRun(
  context: BenchContext,
  driver: UsersCollections,
  name: string,
): Promise<StewardResult> {
  const { docs, seed } = context.options;
  context.log(`loading ${docs} user documents into ${name} (not measured)`);
  await driver.load(name, seed, docs);
  const original = await driver.snapshot(name);
  const side = await stewardSide(await context.seam(), name, context.options.batch);
  try {
    let dryRunCaught = false;
    await counted(context, 'steward-dry-run', async () => {
      const report = await side.dryRunLossy();
      const roundTrip = report.migrations[0]?.roundTrip;
      dryRunCaught = report.ok === false && roundTrip?.mismatched === plantedCount(docs);
      context.record('steward dry run of the plan with migrate-mongo down', {
        ok: report.ok,
        planted: plantedCount(docs),
        roundTrip: roundTrip && { checked: roundTrip.checked, mismatched: roundTrip.mismatched },
        firstProblems: roundTrip?.problems.slice(0, 3),
        estimate: report.estimate,
      });
      return report.totals.changed;
    });
    await side.approve();
    const apply = await counted(context, 'steward-apply', async () => {
      const report = await applyMigrations(side.applyInput());
      if (report.status !== 'applied')
        throw new Error(`apply ended ${report.status}: ${JSON.stringify(report.refusal)}`);
      return report.migrations[0]!.counts.changed;
    });
    const afterUp = await driver.snapshot(name);
    const rollback = await counted(context, 'steward-rollback', async () => {
      const report = await rollbackMigrations(side.rollbackInput());
      const m = report.migrations[0]!;
      context.record('steward rollback verification', {
        exact: m.exact,
        remainingAtTarget: m.remainingAtTarget,
      });
      return m.counts.changed;
    });
    const exact = await driver.compare(name, original);
    context.record('exactness steward after apply and rollback', summary(exact));
    return { apply, rollback, afterUp, exact, dryRunCaught };
  } finally {
    if (!context.options.keep) await side.cleanup().catch(() => undefined);
  }
}

/** A measured phase, with the driver calls it made recorded beside it (`<method> <collection>`). */
async function counted(
  context: BenchContext,
  label: string,
  work: () => Promise<number>,
): Promise<PhaseResult> {
  const before = mongoCallCounts();
  const result = await context.measure(label, () => work());
  const calls: Record<string, number> = {};
  for (const [key, n] of mongoCallCounts())
    if (n !== (before.get(key) ?? 0)) calls[key] = n - (before.get(key) ?? 0);
  const total = (method: string) =>
    Object.entries(calls)
      .filter(([key]) => key.startsWith(`${method} `))
      .reduce((sum, [, n]) => sum + n, 0);
  context.record(`calls ${label}`, { finds: total('find'), bulkWrites: total('bulkWrite'), calls });
  return result;
}

/**
 * The two targets of issue 17 and whether this run met them: speed on the medians of the rounds,
 * exactness in every round.
 */
function recordTargets(context: BenchContext, rounds: readonly Round[]): void {
  const cpu = (p: PhaseResult) => p.cpuMs + (p.serverCpuMs ?? 0);
  const wall = {
    steward: median(rounds.map((r) => r.steward.apply.wallMs)),
    migrateMongo: median(rounds.map((r) => r.bulk.up.wallMs)),
  };
  const cpuWithServer = {
    steward: median(rounds.map((r) => cpu(r.steward.apply))),
    migrateMongo: median(rounds.map((r) => cpu(r.bulk.up))),
  };
  context.record('target: apply at least as fast as migrate-mongo bulk-write up (wall and CPU with server)', {
    holds: wall.steward <= wall.migrateMongo && cpuWithServer.steward <= cpuWithServer.migrateMongo,
    rounds: rounds.length,
    medianWallMs: wall,
    medianCpuWithServerMs: cpuWithServer,
    serverCpuMeasured: rounds.every((r) => r.steward.apply.serverCpuMs !== undefined),
  });
  const docs = context.options.docs;
  const exact = (r: Round) =>
    r.steward.exact.byteIdentical === docs &&
    r.steward.exact.documents === docs &&
    r.bulk.exact.dataLost > 0 &&
    r.steward.dryRunCaught;
  context.record('target: rollback exact where migrate-mongo down is lossy', {
    holds: rounds.every(exact),
    rounds: rounds.length,
    stewardByteIdentical: rounds.map((r) => r.steward.exact.byteIdentical),
    migrateMongoDataLost: rounds.map((r) => r.bulk.exact.dataLost),
    dryRunReportedTheLoss: rounds.map((r) => r.steward.dryRunCaught),
  });
}

/**
 * An exactness for the result file: counts, how many lost documents were planted (the rest were
 * lost by something else) and which kinds, and the first keys.
 */
function summary(exact: Exactness): Record<string, unknown> {
  const { lostKeys, ...counts } = exact;
  const kinds: Record<string, number> = {};
  for (const key of lostKeys) {
    const kind = plantedAt(Number(key.slice(key.lastIndexOf('-') + 1))) ?? 'not planted';
    kinds[kind] = (kinds[kind] ?? 0) + 1;
  }
  return { ...counts, lostByKind: kinds, firstLostKeys: lostKeys.slice(0, 3) };
}

/** Documents whose data differ (field order aside) between two snapshots of the same keys. */
function differing(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): number {
  const sorted = (text: string | undefined) =>
    text === undefined ? '' : JSON.stringify(sortFields(JSON.parse(text) as unknown));
  let n = 0;
  for (const key of new Set([...a.keys(), ...b.keys()])) if (sorted(a.get(key)) !== sorted(b.get(key))) n++;
  return n;
}

function sortFields(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortFields);
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(object)
      .sort()
      .map((k) => [k, sortFields(object[k])]),
  );
}

/**
 * Finds the server's pid for its CPU time when `STEWARD_BENCH_SERVER_PID` is not set: the
 * process listening on the URI's loopback port, where this user may see it.
 */
function findServer(context: BenchContext, config: MongoStoreConfig): void {
  if (process.env.STEWARD_BENCH_SERVER_PID) {
    context.record('server pid', {
      pid: Number(process.env.STEWARD_BENCH_SERVER_PID),
      from: 'STEWARD_BENCH_SERVER_PID',
    });
    return;
  }
  const match = /^mongodb:\/\/(?:[^@/]*@)?(127\.0\.0\.1|localhost|\[::1\]):(\d+)/.exec(config.uri);
  const pid = match ? listeningPid(Number(match[2])) : undefined;
  if (pid !== undefined) process.env.STEWARD_BENCH_SERVER_PID = String(pid);
  context.record(
    'server pid',
    pid === undefined ? 'not found: server CPU not measured' : { pid, from: 'listening port' },
  );
}

function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}
