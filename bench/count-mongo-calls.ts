/**
 * Counts the MongoDB driver calls of a run, for "how many round trips per batch" questions:
 * `node --import tsx --import ./bench/count-mongo-calls.ts bench/run.ts migrate-apply --store mongodb ...`.
 * Wraps the driver's Collection methods steward uses and prints the counts to stderr at exit.
 * Each of these calls is one round trip here (cursors of at most one batch: steward sizes them);
 * a cursor's later batches (`getMore`) are not counted. A scenario that imports this module reads
 * the counts so far with {@link mongoCallCounts}, to count per phase.
 */
import { Collection } from 'mongodb';

const counted = [
  'find',
  'bulkWrite',
  'insertMany',
  'insertOne',
  'replaceOne',
  'updateOne',
  'updateMany',
  'deleteMany',
  'aggregate',
] as const;
const counts = new Map<string, number>();
const proto = Collection.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
// Preloaded with --import and imported by a scenario, the module may load twice: wrap once.
const marker = Symbol.for('steward.bench.count-mongo-calls');
const holder = globalThis as unknown as Record<symbol, Map<string, number> | undefined>;
const shared = holder[marker] ?? counts;
if (!holder[marker]) {
  holder[marker] = counts;
  // The driver's insertMany calls this.bulkWrite before its first await: a call made while
  // another counted call is starting is part of it, not a round trip of its own.
  let starting = false;
  for (const name of counted) {
    const original = proto[name]!;
    proto[name] = function (this: unknown, ...args: unknown[]) {
      if (starting) return original.apply(this, args);
      const ns = (this as { collectionName?: string }).collectionName ?? '?';
      const key = `${name} ${ns}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
      starting = true;
      try {
        return original.apply(this, args);
      } finally {
        starting = false;
      }
    };
  }
  process.on('exit', () => {
    if (counts.size === 0) return;
    const lines = [...counts].sort().map(([key, n]) => `  ${key}: ${n}`);
    process.stderr.write(`[count-mongo-calls]\n${lines.join('\n')}\n`);
  });
}

/** The calls counted so far, as `<method> <collection>` to count. */
export function mongoCallCounts(): ReadonlyMap<string, number> {
  return new Map(shared);
}
