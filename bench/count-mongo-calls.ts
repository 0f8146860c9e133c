/**
 * Counts the MongoDB driver calls of a run, for "how many round trips per batch" questions:
 * `node --import tsx --import ./bench/count-mongo-calls.ts bench/run.ts migrate-apply --store mongodb ...`.
 * Wraps the driver's Collection methods steward uses and prints the counts to stderr at exit.
 * Each of these calls is one round trip here (cursors of at most one batch: steward sizes them).
 */
import { Collection } from 'mongodb';

const counted = [
  'find',
  'bulkWrite',
  'insertMany',
  'insertOne',
  'replaceOne',
  'updateOne',
  'deleteMany',
  'aggregate',
] as const;
const counts = new Map<string, number>();
const proto = Collection.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
for (const name of counted) {
  const original = proto[name]!;
  proto[name] = function (this: unknown, ...args: unknown[]) {
    const ns = (this as { collectionName?: string }).collectionName ?? '?';
    const key = `${name} ${ns}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    return original.apply(this, args);
  };
}
process.on('exit', () => {
  const lines = [...counts].sort().map(([key, n]) => `  ${key}: ${n}`);
  process.stderr.write(`[count-mongo-calls]\n${lines.join('\n')}\n`);
});
