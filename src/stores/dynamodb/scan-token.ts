import { StewardError } from '../../errors/steward-error.js';
import type { Segment } from '../store.js';
import type { Item } from './json-values.js';

/**
 * Resume tokens for scans: base64url of JSON holding DynamoDB's LastEvaluatedKey (in wire form,
 * so it round-trips exactly) and the segment it belongs to. Opaque to callers and safe to keep
 * in a checkpoint; a token used with another segment is refused instead of skipping documents.
 */
interface TokenBody {
  readonly v: 1;
  readonly k: Item;
  readonly s?: readonly [number, number];
}

/** Encodes where a scan stopped. */
export function encodeScanToken(lastKey: Item, segment: Segment | undefined): string {
  const body: TokenBody = segment
    ? { v: 1, k: lastKey, s: [segment.index, segment.total] }
    : { v: 1, k: lastKey };
  return Buffer.from(JSON.stringify(body)).toString('base64url');
}

/** Decodes a token into the ExclusiveStartKey to resume from; throws `input.invalid` on a foreign token. */
export function decodeScanToken(token: string, segment: Segment | undefined, collection: string): Item {
  let body: TokenBody;
  try {
    body = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as TokenBody;
  } catch {
    throw badToken(collection, 'it is not a DynamoDB scan token');
  }
  if (body?.v !== 1 || typeof body.k !== 'object' || body.k === null) {
    throw badToken(collection, 'it is not a DynamoDB scan token');
  }
  const same = segment
    ? body.s?.[0] === segment.index && body.s?.[1] === segment.total
    : body.s === undefined;
  if (!same) throw badToken(collection, 'it was issued for another segment');
  return body.k;
}

function badToken(collection: string, why: string): StewardError {
  return new StewardError(
    'input.invalid',
    `the resume token for collection "${collection}" is not valid: ${why}`,
    {
      collection,
    },
  );
}
