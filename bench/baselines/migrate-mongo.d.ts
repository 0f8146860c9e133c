/** The part of migrate-mongo's programmatic API the side-by-side bench uses (it ships no types). */
declare module 'migrate-mongo' {
  import type { Db, MongoClient } from 'mongodb';

  export const config: { set(content: Record<string, unknown>): void };
  /** Applies the pending migrations of the configured folder; returns their file names. */
  export function up(db: Db, client: MongoClient): Promise<string[]>;
  /** Undoes the last applied migration; returns its file name. */
  export function down(db: Db, client: MongoClient): Promise<string[]>;
}
