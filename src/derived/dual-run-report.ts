import { formatCount } from '../core/format-count.js';
import { sha256 } from '../core/hash.js';
import { canonicalJson, type JsonValue } from '../core/json.js';
import { type DocKey, keyId } from '../stores/store.js';

/** A document whose value differs between the version in place and the one being proven. */
export interface DualRunDifference {
  readonly key: DocKey;
  readonly current: JsonValue;
  readonly next: JsonValue;
}

/**
 * What a dual run found: how many documents the new projection version leaves equal and how many
 * it changes, a sample of the changes, and the report hash a cutover must be given. The hash
 * covers the content compared, document by document (see {@link ContentHash}), so accepting it
 * accepts exactly these values: if anything changes before the cutover, the cutover refuses.
 */
export interface DualRunReport {
  readonly derived: string;
  readonly field: string;
  /** Where the new values are: `<field>__v<version>` in each derived document. */
  readonly shadow: string;
  /** The projection version being proven (the declaration's `version`). */
  readonly version: number;
  documents: number;
  equal: number;
  different: number;
  /** Copies whose source is missing and transformations that threw: no new value, nothing switched. */
  orphans: number;
  failed: number;
  /** Shadow values written (or removed) by this job. */
  written: number;
  /** The first differences, for a person to read before accepting. */
  readonly sample: DualRunDifference[];
  /** The sum of the (key, current, next) hashes, hex. */
  contentHash: string;
  /** `dr-` and 20 hex digits: what `derived cutover --report` takes. */
  reportHash: string;
  /** Documents covered by earlier, interrupted runs of the same job. */
  resumedAt?: number;
}

export const sampleSize = 20;

const modulus = 1n << 256n;

/**
 * An order-independent hash of (key, current, next) triples: the sum modulo 2^256 of their SHA-256,
 * so a DynamoDB scan (unordered) and a resumed run (pages split differently) give the same hash.
 */
export class ContentHash {
  private sum: bigint;
  constructor(hex = '0') {
    this.sum = BigInt(`0x${hex}`);
  }
  add(key: DocKey, current: JsonValue, next: JsonValue): void {
    const h = sha256(`${keyId(key)}\u0000${canonicalJson(current)}\u0000${canonicalJson(next)}`);
    this.sum = (this.sum + BigInt(`0x${h}`)) % modulus;
  }
  hex(): string {
    return this.sum.toString(16);
  }
}

/** The report hash: the derived state, its shadow, the version and what was compared. */
export function reportHashOf(
  r: Pick<DualRunReport, 'derived' | 'field' | 'shadow' | 'version' | 'documents' | 'contentHash'>,
): string {
  const { derived, field, shadow, version, documents, contentHash } = r;
  return `dr-${sha256(canonicalJson({ derived, field, shadow, version, documents, contentHash })).slice(0, 20)}`;
}

/** The shadow field of a projection version. */
export function shadowField(field: string, version: number): string {
  return `${field}__v${version}`;
}

export function renderDualRunReport(r: DualRunReport): string[] {
  const lines = [
    `${r.derived} version ${r.version} beside the values in place (${r.shadow}): ${formatCount(r.documents)} document(s), ` +
      `${formatCount(r.equal)} equal, ${formatCount(r.different)} different, ${formatCount(r.orphans)} orphaned, ${formatCount(r.failed)} failed`,
  ];
  if (r.resumedAt)
    lines.push(`  resumed after ${formatCount(r.resumedAt)} document(s); counts cover the whole job`);
  for (const d of r.sample)
    lines.push(`  ${JSON.stringify(d.key)}: ${JSON.stringify(d.current)} -> ${JSON.stringify(d.next)}`);
  if (r.different > r.sample.length)
    lines.push(`  ... and ${formatCount(r.different - r.sample.length)} more`);
  lines.push(
    `  report ${r.reportHash}: accept it with steward derived cutover ${r.derived} --report ${r.reportHash}`,
  );
  return lines;
}
