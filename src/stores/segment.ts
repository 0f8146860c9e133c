import { StewardError } from '../errors/steward-error.js';
import type { Segment } from './store.js';

/** The most segments a scan can be split into: DynamoDB's limit on TotalSegments, for every store alike. */
export const maxSegments = 1_000_000;

/**
 * Validates segment i of N before any adapter uses it, the same way on every store: a bad segment
 * would otherwise read nothing, or everything, and a worker would never know.
 */
export function checkSegment(segment: Segment | undefined, collection: string): Segment | undefined {
  if (!segment) return undefined;
  const { index, total } = segment;
  const valid =
    Number.isInteger(total) &&
    total >= 1 &&
    total <= maxSegments &&
    Number.isInteger(index) &&
    index >= 0 &&
    index < total;
  if (!valid) {
    throw new StewardError(
      'input.invalid',
      `segment ${index} of ${total} is not valid for collection "${collection}": use 0 <= index < total <= ${maxSegments}`,
      { collection },
    );
  }
  return segment;
}
