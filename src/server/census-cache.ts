import { createHash } from 'node:crypto';
import type { ContractDefinition } from '../contracts/contract.js';

/** How long a census stays fresh in `steward serve` by default, in milliseconds. */
export const defaultCensusTtlMs = 60_000;

/** A census as the server answers it: what was counted, and when. */
export interface TimedCensus<T> {
  readonly value: T;
  /** When the computation that produced it started (ISO 8601): no document read is older. */
  readonly computedAt: string;
  /** Whole seconds since `computedAt`, when answered. */
  readonly ageSeconds: number;
}

interface Entry<T> {
  /** The last finished census, once there is one. */
  done?: { value: T; startedAt: number };
  /** The computation in flight, shared by every request that waits for it (single flight). */
  running?: Promise<{ value: T; startedAt: number }>;
}

/**
 * The server's censuses, one per (collection, contract version set, sample). A census reads and
 * validates every document of a collection (hundreds of milliseconds at 10,000 documents,
 * minutes at millions), so the read route answers from here:
 * - younger than `ttlMs`: answered as is;
 * - older, but younger than twice that: answered as is, and one recomputation starts behind it;
 * - older still, or none yet, or `fresh`: the request waits for a computation; concurrent
 *   requests wait for the same one, never start their own.
 * Every answer says when it was computed (`computedAt`, `ageSeconds`). A failed computation is not
 * kept: the next request tries again.
 */
export class CensusCache<T> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(
    private readonly ttlMs: number = defaultCensusTtlMs,
    /** Keys kept at most (a viewer chooses the sample): the oldest key goes first. */
    private readonly maxEntries = 256,
  ) {}

  async get(key: string, fresh: boolean, compute: () => Promise<T>): Promise<TimedCensus<T>> {
    const entry = this.entryOf(key);
    const now = Date.now();
    const age = entry.done ? now - entry.done.startedAt : Number.POSITIVE_INFINITY;
    if (!fresh && age < this.ttlMs) return timed(entry.done!);
    if (!fresh && age < 2 * this.ttlMs) {
      void this.start(entry, compute).catch(() => undefined); // the stale answer goes out now
      return timed(entry.done!);
    }
    return timed(await this.start(entry, compute));
  }

  private entryOf(key: string): Entry<T> {
    let entry = this.entries.get(key);
    if (!entry) {
      entry = {};
      if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(key, entry);
    }
    return entry;
  }

  /** The computation in flight, or a new one; its result replaces the last census. */
  private start(entry: Entry<T>, compute: () => Promise<T>): Promise<{ value: T; startedAt: number }> {
    if (entry.running) return entry.running;
    const startedAt = Date.now();
    const running = compute().then(
      (value) => {
        entry.done = { value, startedAt };
        entry.running = undefined;
        return entry.done;
      },
      (error: unknown) => {
        entry.running = undefined;
        throw error;
      },
    );
    entry.running = running;
    return running;
  }
}

function timed<T>(done: { value: T; startedAt: number }): TimedCensus<T> {
  return {
    value: done.value,
    computedAt: new Date(done.startedAt).toISOString(),
    ageSeconds: Math.floor((Date.now() - done.startedAt) / 1000),
  };
}

/**
 * The key of a census: the collection, the sample, and a hash of the contract's version field
 * and versions (their numbers and schemas), so a changed contract never answers an old census.
 */
export function censusKey(
  contract: Pick<ContractDefinition, 'collection' | 'versionField' | 'assumeVersion' | 'versions'>,
  sample: number,
): string {
  const declared = {
    versionField: contract.versionField ?? null,
    assumeVersion: contract.assumeVersion ?? null,
    versions: contract.versions.map((v) => ({ version: v.version, schema: v.schema })),
  };
  const version = createHash('sha256').update(JSON.stringify(declared)).digest('base64url');
  return `${contract.collection}\0${sample}\0${version}`;
}
