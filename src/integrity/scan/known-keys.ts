import { type DocKey, keyId } from '../../stores/store.js';

/** Target keys a scan remembers by default: a few MB of ids, enough for most targets whole. */
export const defaultKnownKeys = 200_000;

/**
 * What {@link KnownKeys.meet} says of a key met in a batch: not known to exist (to be looked up);
 * known and met earlier in the same batch; known, new to the batch, met in an earlier batch of
 * this run; known and new to the run (a preloaded key no batch held before).
 */
export const Met = { Unknown: 0, Again: 1, InBatch: 2, InRun: 3 } as const;
export type Met = (typeof Met)[keyof typeof Met];

/**
 * Target keys a scan has seen exist, so a key that many sources point at (the case of a hundred
 * tasks) is fetched once per scan rather than once per batch it appears in. Only keys found are
 * remembered; a missing key is looked up again every time, so an orphan is never decided from
 * memory. Bounded: when full it forgets everything and fills again, so memory stays flat.
 *
 * Each known key also holds the last batch that met it, so one hash lookup per source document
 * answers both "is it known" and "is it new to this batch" (the batch's distinct keys, counted in
 * `keysChecked`) and "is it new to this run" (what the distinct-key sketch needs: adding a key to
 * it again changes nothing). On DynamoDB's 100k-document scan that replaced a Set of the batch's
 * keys and a second lookup per document (issue 17).
 *
 * String keys, the common case, are held as they are rather than as their {@link keyId}: asking
 * for a key then builds no new string per source document, and hashes one V8 has hashed before.
 *
 * The scan is not a snapshot in any case: a target deleted while a scan runs may be reported
 * missing or not depending on when its sources were read, and the next scan sees it either way.
 */
export class KnownKeys {
  /** Key → its slot in `stamps`. */
  private readonly strings = new Map<string, number>();
  private readonly others = new Map<string, number>();
  /**
   * By slot: the last batch that met the key (0: none yet). A typed array, so a batch's note is no
   * hash; grown as keys come, so a check of one batch (re-verifying, a pushed-down page) costs no
   * array of the whole capacity.
   */
  private stamps = new Int32Array(64);
  private batch = 0;

  constructor(readonly capacity = defaultKnownKeys) {}

  get size(): number {
    return this.strings.size + this.others.size;
  }

  has(key: DocKey): boolean {
    return typeof key === 'string' ? this.strings.has(key) : this.others.has(keyId(key));
  }

  /** Remembers a key found to exist; `met` says the batch in hand met it (see {@link meet}). */
  add(key: DocKey, met = false): void {
    const map = typeof key === 'string' ? this.strings : this.others;
    const id = typeof key === 'string' ? key : keyId(key);
    if (map.has(id)) return;
    if (this.size >= this.capacity) {
      this.strings.clear();
      this.others.clear();
    }
    const slot = this.size;
    if (slot >= this.stamps.length) {
      const grown = new Int32Array(Math.min(this.capacity, this.stamps.length * 2));
      grown.set(this.stamps);
      this.stamps = grown;
    }
    map.set(id, slot);
    this.stamps[slot] = met ? this.batch : 0;
  }

  /** Starts a batch: {@link meet} counts each key once per batch from here. */
  startBatch(): void {
    this.batch++;
  }

  /** Notes that the batch in hand met `key`, and says whether it is known and new (see {@link Met}). */
  meet(key: DocKey): Met {
    const slot = typeof key === 'string' ? this.strings.get(key) : this.others.get(keyId(key));
    if (slot === undefined) return Met.Unknown;
    const stamp = this.stamps[slot]!;
    if (stamp === this.batch) return Met.Again;
    this.stamps[slot] = this.batch;
    return stamp === 0 ? Met.InRun : Met.InBatch;
  }
}
