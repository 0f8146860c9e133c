/**
 * Probes a MongoDB-wire server for the two things steward's figures depend on (docs/mongodb-targets.md):
 * whether a conditional `updateOne` is atomic, and whether a write keyed by `_id` uses the `_id`
 * index (its cost per document flat as the collection grows). Talks to the server with the
 * driver alone, not through steward, so it measures the server.
 *
 *   node --import tsx bench/wire-target-probe.ts <mongodb uri> [--server-pid <pid>[,<pid>...]]
 *
 * With `--server-pid`, the CPU time of those processes and their children (from /proc) is reported
 * beside the wall time: for FerretDB on PostgreSQL give FerretDB's pid and the postmaster's, whose
 * children are the backends doing the queries.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { type Collection, type Document, MongoClient } from 'mongodb';

const clients = 8;
const rounds = 50;
const keyedWrites = 300;
const sizes = [1_000, 20_000];

const [uri, ...rest] = process.argv.slice(2);
if (!uri) {
  console.error('usage: node --import tsx bench/wire-target-probe.ts <mongodb uri> [--server-pid <pid>]');
  process.exit(2);
}
const pidAt = rest.indexOf('--server-pid');
const serverPids = pidAt >= 0 ? (rest[pidAt + 1] ?? '').split(',').filter(Boolean) : [];

/** Fields of /proc/<pid>/stat after the command name: [0] state, [1] ppid, [11] utime, [12] stime. */
function statFields(pid: string): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined; // the process ended between listing and reading
  }
}

/**
 * User + system CPU in ms (clock ticks of 10 ms) of the server processes and their children, or
 * NaN without pids. A child that ended during a measurement takes its CPU with it, so connections
 * are kept open throughout.
 */
function serverCpuMs(): number {
  if (serverPids.length === 0) return Number.NaN;
  let ticks = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    const fields = statFields(pid);
    if (!fields) continue;
    if (serverPids.includes(pid) || serverPids.includes(fields[1] ?? ''))
      ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks * 10;
}

/** Wall, client CPU and server CPU of `work`, in ms. */
async function measure(work: () => Promise<void>): Promise<{ wall: number; cpu: number; server: number }> {
  const cpu0 = process.cpuUsage();
  const server0 = serverCpuMs();
  const t0 = performance.now();
  await work();
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { wall, cpu: (cpu.user + cpu.system) / 1000, server: serverCpuMs() - server0 };
}

/**
 * `clients` connections each send, per round, `updateOne({_id, v: round}, {$set: {v: round + 1}})`
 * at once. On an atomic server exactly one matches per round.
 */
async function conditionalRace(connections: MongoClient[], db: string): Promise<void> {
  const name = 'probe_race';
  const first = connections[0]?.db(db).collection(name);
  if (!first) throw new Error('no connection');
  await first.insertOne({ _id: 'doc', v: 0 } as Document);
  const winners: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const results = await Promise.all(
      connections.map((c, i) =>
        c
          .db(db)
          .collection(name)
          .updateOne({ _id: 'doc', v: round } as Document, { $set: { v: round + 1, by: i } }),
      ),
    );
    winners.push(results.filter((r) => r.modifiedCount === 1).length);
  }
  const histogram = new Map<number, number>();
  for (const w of winners) histogram.set(w, (histogram.get(w) ?? 0) + 1);
  const stored = await first.findOne({ _id: 'doc' } as Document);
  console.log(
    `conditional updateOne, ${clients} clients x ${rounds} rounds: winners per round ${[...histogram]
      .sort((a, b) => a[0] - b[0])
      .map(([w, n]) => `${w}: ${n} rounds`)
      .join(', ')}; final v = ${stored?.v} (expected ${rounds})`,
  );
  // Lost updates under $inc: each client increments 100 times.
  await first.insertOne({ _id: 'counter', n: 0 } as Document);
  await Promise.all(
    connections.map(async (c) => {
      for (let i = 0; i < 100; i++)
        await c
          .db(db)
          .collection(name)
          .updateOne({ _id: 'counter' } as Document, { $inc: { n: 1 } });
    }),
  );
  const counter = await first.findOne({ _id: 'counter' } as Document);
  console.log(`$inc by ${clients} clients x 100: n = ${counter?.n} (expected ${clients * 100})`);
}

const pad = 'x'.repeat(200);

async function fill(collection: Collection, n: number): Promise<void> {
  for (let start = 0; start < n; start += 1000) {
    const docs = [];
    for (let i = start; i < Math.min(n, start + 1000); i++)
      docs.push({ _id: `k${String(i).padStart(7, '0')}`, v: 0, group: i % 10, pad } as Document);
    await collection.insertMany(docs, { ordered: false });
  }
}

/** Time per keyed update (by `_id` alone, and by `_id` plus a version condition) at each size. */
async function keyedCost(client: MongoClient, db: string): Promise<void> {
  for (const n of sizes) {
    const collection = client.db(db).collection(`probe_keyed_${n}`);
    await fill(collection, n);
    const key = (i: number) => `k${String((i * 7919) % n).padStart(7, '0')}`;
    const byId = await measure(async () => {
      for (let i = 0; i < keyedWrites; i++)
        await collection.updateOne({ _id: key(i) } as Document, { $set: { touched: i } });
    });
    const conditional = await measure(async () => {
      for (let i = 0; i < keyedWrites; i++)
        await collection.updateOne({ _id: key(i + keyedWrites), v: 0 } as Document, { $set: { v: 1 } });
    });
    const lookups = await measure(async () => {
      for (let i = 0; i < keyedWrites / 10; i++) {
        const keys = Array.from({ length: 100 }, (_, j) => key(i * 100 + j));
        await collection.find({ _id: { $in: keys } } as Document).toArray();
      }
    });
    const per = (m: { wall: number; cpu: number; server: number }, count: number) =>
      `${(m.wall / count).toFixed(2)} ms wall, ${(m.server / count).toFixed(2)} ms server CPU`;
    console.log(`${n} docs: updateOne by _id ${per(byId, keyedWrites)} per write`);
    console.log(`${n} docs: updateOne by _id + condition ${per(conditional, keyedWrites)} per write`);
    console.log(`${n} docs: find _id $in 100 keys ${per(lookups, keyedWrites / 10)} per query`);
  }
}

const db = `steward_probe_${process.pid}`;
const connections = await Promise.all(Array.from({ length: clients }, () => new MongoClient(uri).connect()));
const main = connections[0] as MongoClient;
try {
  console.log(`load average: ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
  await conditionalRace(connections, db);
  await keyedCost(main, db);
  console.log(`load average: ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
} finally {
  await main.db(db).dropDatabase();
  await Promise.all(connections.map((c) => c.close()));
}
