import { keyFraction } from '../../core/hash.js';

/**
 * Keeps the `limit` items whose keys hash lowest. Which items are kept depends only on their keys,
 * not on the order a store returns them in, so a dry run on SQLite and one on DynamoDB show the
 * same documents in their delta logs.
 */
export class KeptByHash<T> {
  private readonly kept: { rank: number; item: T }[] = [];

  constructor(
    private readonly limit: number,
    private readonly seed: string,
  ) {}

  /** Offers an item with its key id (`keyId`); kept if it ranks among the lowest. */
  offer(keyId: string, item: () => T): void {
    if (this.limit <= 0) return;
    const rank = keyFraction(keyId, this.seed);
    if (this.kept.length >= this.limit && rank >= this.kept[this.kept.length - 1]!.rank) return;
    const at = this.kept.findIndex((k) => k.rank > rank);
    this.kept.splice(at === -1 ? this.kept.length : at, 0, { rank, item: item() });
    if (this.kept.length > this.limit) this.kept.pop();
  }

  /** The kept items, lowest hash first. */
  items(): T[] {
    return this.kept.map((k) => k.item);
  }
}
