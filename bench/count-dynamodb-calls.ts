/**
 * Counts the DynamoDB requests of a run and the time they spent in flight, for "how many round
 * trips per batch" questions:
 * `node --import tsx --import ./bench/count-dynamodb-calls.ts bench/run.ts migrate-apply --store dynamodb ...`.
 * Wraps the SDK client's `send` and prints, at exit, per command and table: calls, items carried
 * (keys or write requests) and the summed milliseconds the calls were in flight.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

interface Tally {
  calls: number;
  items: number;
  ms: number;
}
const tallies = new Map<string, Tally>();
const proto = DynamoDBClient.prototype as unknown as { send: (...args: unknown[]) => Promise<unknown> };
const original = proto.send;
proto.send = async function (this: unknown, ...args: unknown[]) {
  const command = args[0] as { constructor: { name: string }; input: Record<string, unknown> };
  const input = command.input;
  const requestItems = input.RequestItems as Record<string, unknown[] | { Keys: unknown[] }> | undefined;
  const transact = input.TransactItems as unknown[] | undefined;
  const table =
    (input.TableName as string | undefined) ??
    Object.keys(requestItems ?? {})[0] ??
    (transact ? `tx ${transactTable(transact)}` : '?');
  const items = requestItems
    ? Object.values(requestItems).reduce((n, v) => n + (Array.isArray(v) ? v.length : v.Keys.length), 0)
    : (transact?.length ?? 1);
  const key = `${command.constructor.name.replace(/Command$/, '')} ${table}`;
  const tally = tallies.get(key) ?? { calls: 0, items: 0, ms: 0 };
  tallies.set(key, tally);
  tally.calls++;
  tally.items += items;
  const start = performance.now();
  try {
    return await original.apply(this, args);
  } finally {
    tally.ms += performance.now() - start;
  }
};
/** The table of a transaction's first item, which names what it wrote. */
function transactTable(items: unknown[]): string {
  const first = (items[0] ?? {}) as Record<string, { TableName?: string } | undefined>;
  const op = first.Put ?? first.Update ?? first.Delete ?? first.ConditionCheck;
  return op?.TableName ?? '?';
}
process.on('exit', () => {
  const lines = [...tallies]
    .sort()
    .map(([key, t]) => `  ${key}: ${t.calls} calls, ${t.items} items, ${Math.round(t.ms)} ms in flight`);
  process.stderr.write(`[count-dynamodb-calls]\n${lines.join('\n')}\n`);
});
