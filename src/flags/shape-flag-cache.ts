import { type Clock, systemClock } from '../ledger/clock.js';
import type { ShapeFlag } from './flag-rules.js';
import { type FlagReadOptions, type FlagSource, readShapeFlag } from './read-shape-flag.js';

export interface ShapeFlagCacheOptions extends FlagReadOptions {
  /** How old a value may be before it is read again. Default 10 seconds. */
  readonly maxAgeMs?: number;
}

/** Flag values a service reads on every request, read from the store at most once per `maxAgeMs`. */
export interface ShapeFlagCache {
  /** The flag in effect, as of at most `maxAgeMs` ago; undefined when it was never set. */
  get(name: string): Promise<ShapeFlag | undefined>;
  /** Forgets every value, so the next `get` reads the store. */
  clear(): void;
}

/**
 * A per-process cache in front of {@link readShapeFlag}. Concurrent gets of one name share one
 * read. A failed read is not cached, so the next get tries again; a flipped flag reaches every
 * instance within `maxAgeMs`, which is the delay to plan for when switching a read path back.
 */
export function shapeFlagCache(source: FlagSource, options: ShapeFlagCacheOptions = {}): ShapeFlagCache {
  const clock: Clock = options.clock ?? systemClock;
  const maxAgeMs = options.maxAgeMs ?? 10_000;
  const entries = new Map<string, { readonly at: number; readonly flag: Promise<ShapeFlag | undefined> }>();
  return {
    get(name) {
      const now = clock();
      const cached = entries.get(name);
      if (cached && now - cached.at < maxAgeMs) return cached.flag;
      const entry = { at: now, flag: readShapeFlag(source, name, options) };
      entries.set(name, entry);
      entry.flag.catch(() => {
        if (entries.get(name) === entry) entries.delete(name);
      });
      return entry.flag;
    },
    clear() {
      entries.clear();
    },
  };
}
