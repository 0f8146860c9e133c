import type { Db } from 'mongodb';
import { StewardError } from '../../errors/steward-error.js';

/**
 * Which collections exist, so a missing one is a `collection.not-found` error as on the other
 * stores. MongoDB would instead answer reads of a missing collection with nothing and create it
 * on the first write. Reads check only when they come back empty; writes check before writing,
 * once per collection and store, because a write would create the collection. A collection
 * dropped by someone else after that check is created again by the next write.
 */
export class CollectionRegistry {
  private readonly known = new Set<string>();

  constructor(private readonly db: Db) {}

  /** Records a collection steward created or saw. */
  remember(name: string): void {
    this.known.add(name);
  }

  /** Records that a collection was dropped. */
  forget(name: string): void {
    this.known.delete(name);
  }

  /** Throws `collection.not-found` unless the collection exists; cached once it has been seen. */
  async assertExists(name: string): Promise<void> {
    if (this.known.has(name)) return;
    const found = await this.db.listCollections({ name }, { nameOnly: true }).toArray();
    // Compared here too: mongo-java-server ignores the filter and lists every collection.
    if (!found.some((info) => info.name === name)) throw notFound(name, this.db.databaseName);
    this.known.add(name);
  }

  /** Like {@link assertExists}, but always asks the server: for reads that came back empty. */
  async assertStillExists(name: string): Promise<void> {
    this.known.delete(name);
    await this.assertExists(name);
  }
}

/** The error for a collection that does not exist. */
export function notFound(name: string, database: string): StewardError {
  return new StewardError(
    'collection.not-found',
    `collection "${name}" does not exist in MongoDB database "${database}"; check the collection name in the config, or create it first`,
    { collection: name, database },
  );
}
