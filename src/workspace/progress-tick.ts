import { estimatedCount } from '../stores/estimated-count.js';
import type { Collection, Segment } from '../stores/store.js';

/**
 * How far a long job is in one of its phases (a reference, a derived state, a migration's canary or
 * rest over one collection): documents done so far, and how many there are when known. Every
 * long-running entry point emits these through `onProgress`, so a face can draw done/total, rate
 * and ETA without knowing the job; it is a report of work done, never a promise of what is left.
 */
export interface ProgressTick {
  readonly type: 'progress';
  /** What is being worked through, such as `profiles.accountId` or `001-rename canary cases`. */
  readonly phase: string;
  readonly done: number;
  /** How many there are in the phase, when known. */
  readonly total?: number;
  /** The total comes from the store's count estimate (or a segment's share of it): a "~" total. */
  readonly estimated?: boolean;
}

/** A tick of `phase`; `total` is left out when unknown. */
export function progressTick(
  phase: string,
  done: number,
  total?: number,
  estimated = total !== undefined,
): ProgressTick {
  return {
    type: 'progress',
    phase,
    done,
    ...(total === undefined ? {} : { total, ...(estimated ? { estimated: true } : {}) }),
  };
}

/** The store's estimate of a collection's documents, shared out over a segment: a progress total. */
export async function estimatedTotal(collection: Collection, segment?: Segment): Promise<number | undefined> {
  const count = await estimatedCount(collection);
  return count !== undefined && segment ? Math.ceil(count / segment.total) : count;
}
