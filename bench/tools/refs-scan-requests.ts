/**
 * Counts the DynamoDB requests of one `refs scan` at a time, by command and table, with the CPU of
 * steward around it: a fresh scan (new ledger) and then rescans (every orphan already an open
 * incident), on the refs-scan scenario's workload.
 *
 *   STEWARD_BENCH_DYNAMODB_ENDPOINT=<endpoint> node --import tsx bench/tools/refs-scan-requests.ts [--docs N] [--load] [--rescans R]
 *
 * `--load` writes the workload first (the scenario's tables, kept afterwards); without it the
 * tables from an earlier `--load` (or `npm run bench -- refs-scan ... --keep`) are reused.
 */
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { scanReference } from '../../src/integrity/scan/scan-reference.js';
import { openLedger } from '../../src/ledger/ledger.js';
import { openStore } from '../../src/stores/open-store.js';
import { benchStoreConfig } from '../bench-stores.js';
import { loadRefsWorkload, refsReference, refsSourceSpec, refsTargetSpec } from '../refs-workloads.js';
import type { BenchContext } from '../scenario.js';

const tallies = new Map<string, number>();
const proto = DynamoDBClient.prototype as unknown as { send: (...args: unknown[]) => Promise<unknown> };
const original = proto.send;
proto.send = function (this: unknown, ...args: unknown[]) {
  const command = args[0] as { constructor: { name: string }; input: Record<string, unknown> };
  const input = command.input;
  const items = input.RequestItems as Record<string, unknown> | undefined;
  const transact = input.TransactItems as Record<string, { TableName?: string }>[] | undefined;
  const first = transact?.[0];
  const table =
    (input.TableName as string | undefined) ??
    Object.keys(items ?? {})[0] ??
    Object.values(first ?? {})[0]?.TableName ??
    '?';
  const key = `${command.constructor.name.replace(/Command$/, '')} ${table.replace(/^steward_bench_bench_refs_/, '')}`;
  tallies.set(key, (tallies.get(key) ?? 0) + 1);
  return original.apply(this, args);
};

const { values } = parseArgs({
  options: {
    docs: { type: 'string', default: '100000' },
    load: { type: 'boolean', default: false },
    rescans: { type: 'string', default: '2' },
  },
});
const docs = Number(values.docs);
const store = await openStore(benchStoreConfig('dynamodb', 'requests'));
if (values.load) {
  const context = { options: { docs, seed: undefined, batch: 100 } } as unknown as BenchContext;
  await loadRefsWorkload(context, store);
}
const ledger = await openLedger(store, { actor: 'bench', namespacePrefix: 'bench_refs_req_' });
const source = store.collection(refsSourceSpec);
const target = store.collection(refsTargetSpec(store));
try {
  for (let run = 0; run <= Number(values.rescans); run++) {
    tallies.clear();
    const cpu = process.cpuUsage();
    const start = performance.now();
    const report = await scanReference({
      reference: refsReference,
      source,
      target,
      ledger,
      holder: `requests-${process.pid}`,
      restart: true,
    });
    const used = process.cpuUsage(cpu);
    const wall = performance.now() - start;
    const total = [...tallies.values()].reduce((a, b) => a + b, 0);
    const load = (await import('node:fs')).readFileSync('/proc/loadavg', 'utf8').trim();
    process.stdout.write(
      `${run === 0 ? 'fresh' : 'rescan'}: ${report.scanned} scanned, ${report.orphans} orphans, ` +
        `${total} requests, CPU ${Math.round((used.user + used.system) / 1000)} ms, wall ${Math.round(wall)} ms, load ${load}\n`,
    );
    for (const [key, n] of [...tallies].sort()) process.stdout.write(`  ${key}: ${n}\n`);
  }
} finally {
  await ledger.drop();
  await store.close();
}
