import { isJsonObject, type JsonObject } from '../../core/json.js';
import { type DocKey, keyId } from '../../stores/store.js';

/** A count of distinct values, and whether it is exact or an estimate. */
export interface DistinctCount {
  readonly count: number;
  readonly exact: boolean;
}

/** Default budget of the exact set: the characters of the ids it holds (about 500 short keys). */
export const defaultExactBudget = 8 * 1024;

const precision = 12;
const registers = 1 << precision;
const alpha = 0.7213 / (1 + 1.079 / registers);

/**
 * Counts distinct key ids in bounded memory, so a scan of any size can say how many distinct
 * target keys it met and how many distinct keys were missing. Exact while the ids seen fit in a
 * budget; past it, a HyperLogLog sketch of 4,096 registers (4 KB, about 1.6% standard error) built from
 * the set and kept up from then on. Both forms are deterministic and independent of the order
 * ids arrive in, and both serialize into a checkpoint, so a resumed scan counts exactly as an
 * uninterrupted one. Pure: no I/O.
 */
export class DistinctCounter {
  private exact: Set<string> | undefined = new Set();
  private exactChars = 0;
  private sketch: Uint8Array | undefined;

  constructor(private readonly budget = defaultExactBudget) {}

  add(id: string): void {
    if (this.exact) {
      if (this.exact.has(id)) return;
      this.exact.add(id);
      this.exactChars += id.length;
      if (this.exactChars > this.budget) this.overflow();
      return;
    }
    addToSketch(this.sketch!, id);
  }

  /**
   * Adds a key by its {@link keyId}, the same count as `add(keyId(key))`; once the counter is a
   * sketch, a string key is hashed without building its id, which a scan would do for every key.
   */
  addKey(key: DocKey): void {
    if (this.exact || typeof key !== 'string') this.add(keyId(key));
    else addPartsToSketch(this.sketch!, 's:', key);
  }

  count(): DistinctCount {
    if (this.exact) return { count: this.exact.size, exact: true };
    return { count: estimate(this.sketch!), exact: false };
  }

  /** The state to store in a checkpoint: the exact ids, or the sketch as base64. */
  toState(): JsonObject {
    if (this.exact) return { exact: [...this.exact] };
    return { sketch: Buffer.from(this.sketch!).toString('base64') };
  }

  /** A counter continuing from a {@link toState} result; a fresh one when the state is unreadable. */
  static fromState(state: unknown, budget = defaultExactBudget): DistinctCounter {
    const counter = new DistinctCounter(budget);
    if (!isJsonObject(state)) return counter;
    if (Array.isArray(state.exact)) {
      for (const id of state.exact) if (typeof id === 'string') counter.add(id);
    } else if (typeof state.sketch === 'string') {
      const bytes = Buffer.from(state.sketch, 'base64');
      if (bytes.length === registers) {
        counter.exact = undefined;
        counter.sketch = new Uint8Array(bytes);
      }
    }
    return counter;
  }

  private overflow(): void {
    const sketch = new Uint8Array(registers);
    for (const id of this.exact!) addToSketch(sketch, id);
    this.sketch = sketch;
    this.exact = undefined;
  }
}

function addToSketch(sketch: Uint8Array, id: string): void {
  addPartsToSketch(sketch, '', id);
}

/** Adds the id `head + tail` without concatenating it. */
function addPartsToSketch(sketch: Uint8Array, head: string, tail: string): void {
  const index = hash32(head, tail, 0x9e3779b9) & (registers - 1);
  const rank = Math.clz32(hash32(head, tail, 0x85ebca6b)) + 1;
  if (rank > sketch[index]!) sketch[index] = rank;
}

/** The HyperLogLog estimate, with linear counting while many registers are still empty. */
function estimate(sketch: Uint8Array): number {
  let sum = 0;
  let zeros = 0;
  for (const r of sketch) {
    sum += 2 ** -r;
    if (r === 0) zeros++;
  }
  const raw = (alpha * registers * registers) / sum;
  if (raw <= 2.5 * registers && zeros > 0) return Math.round(registers * Math.log(registers / zeros));
  return Math.round(raw);
}

/**
 * A 32-bit hash of the string `head + tail` (multiply-xorshift over UTF-16 units, then a final
 * avalanche), taken in two parts so a prefixed id need not be built to be hashed.
 */
function hash32(head: string, tail: string, seed: number): number {
  let h = seed | 0;
  for (let i = 0; i < head.length; i++) {
    h = Math.imul(h ^ head.charCodeAt(i), 0x5bd1e995);
    h ^= h >>> 15;
  }
  for (let i = 0; i < tail.length; i++) {
    h = Math.imul(h ^ tail.charCodeAt(i), 0x5bd1e995);
    h ^= h >>> 15;
  }
  h ^= head.length + tail.length;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
