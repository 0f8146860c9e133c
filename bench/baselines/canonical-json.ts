import { hash } from 'node:crypto';

/**
 * The canonical JSON a hand-written safe migration would hash (issue 17, eighth pass): fields
 * sorted by name at every level, no whitespace, so equal content gives equal text whatever order
 * its fields were stored in. Written for the bench, not taken from steward (`canonicalText`), so
 * the hand-written baseline owes steward nothing: what a careful engineer writes in an afternoon.
 *
 * One trick only: the sorted order of an object's fields is kept per depth for the last few
 * shapes seen there (a migration alternates two: the document read and the one `up` makes), with
 * each field's `"name":` text, so a collection of same-shaped documents sorts and quotes its names
 * once, not once a document: with one shape kept, the loop sorted at every call (about 3 µs a
 * document more, measured). Any other shape is sorted as it comes.
 */
export function canonicalJson(value: unknown): string {
  return canonicalAt(value, 0);
}

/** The sorted layout of one object shape: its names in stored order, and its fields' texts sorted. */
interface Layout {
  readonly names: readonly string[];
  /** The index in `names` of each field, in sorted order. */
  readonly order: readonly number[];
  /** `"name":` of each field, in sorted order. */
  readonly heads: readonly string[];
}

/** Shapes kept per depth: enough for a document, its migrated form and a few nested kinds. */
const keptShapes = 4;
const recentLayouts: Layout[][] = [];

function canonicalAt(value: unknown, depth: number): string {
  // Scalars as JSON.stringify writes them; a finite number's text is String's, without the call.
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return Number.isFinite(value) ? `${value}` : 'null';
  if (value === null || typeof value !== 'object')
    return value === undefined ? 'null' : JSON.stringify(value);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + canonicalAt(value[i], depth + 1);
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  const names = Object.keys(record);
  const layout = layoutOf(names, depth);
  let out = '{';
  let first = true;
  for (let i = 0; i < layout.order.length; i++) {
    const field = record[names[layout.order[i]!]!];
    if (field === undefined) continue; // as JSON.stringify: an undefined field is no field
    out += (first ? '' : ',') + layout.heads[i]! + canonicalAt(field, depth + 1);
    first = false;
  }
  return `${out}}`;
}

/** The layout of `names`: one kept at this depth when the names are the same, else a new one kept. */
function layoutOf(names: readonly string[], depth: number): Layout {
  let kept = recentLayouts[depth];
  if (kept === undefined) {
    kept = [];
    recentLayouts[depth] = kept;
  }
  for (let i = 0; i < kept.length; i++) if (sameNames(kept[i]!.names, names)) return kept[i]!;
  const order = names.map((_, i) => i).sort((a, b) => (names[a]! < names[b]! ? -1 : 1));
  const layout = { names, order, heads: order.map((i) => `${JSON.stringify(names[i])}:`) };
  if (kept.length === keptShapes) kept.pop();
  kept.unshift(layout);
  return layout;
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The digest of a canonical text: SHA-256, hex. What a written document is recognised by. */
export function textDigest(text: string): string {
  return hash('sha256', text, 'hex');
}

/** The checksums' modulus: 2^48, so a sum of 48-bit digest prefixes stays an exact double. */
const modulus = 2 ** 48;

/** The first 48 bits of a hex digest, as a number: what the order-independent sums add. */
export function digestPrefix(hex: string): number {
  return Number.parseInt(hex.slice(0, 12), 16);
}

/**
 * Adds a digest prefix to a running sum, modulo 2^48: any order of adding gives the same sum, so
 * a collection's checksum does not depend on how it was read. 48 bits, not 256 as steward's
 * checksum: a witness that a restore is exact, not a signature (a random mismatch slips by with a
 * chance of 2^-48).
 */
export function addDigest(sum: number, prefix: number): number {
  const next = sum + prefix;
  return next >= modulus ? next - modulus : next;
}
