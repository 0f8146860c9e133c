/**
 * The canonical JSON a hand-written safe migration would hash (issue 17, eighth pass): fields
 * sorted by name at every level, no whitespace, so equal content gives equal text whatever order
 * its fields were stored in. Only the DynamoDB safe loop uses it now, as steward keeps content
 * checksums there (DynamoDB keeps no text: a document comes back in another field order); the
 * SQLite loop digests the stored text instead, as steward's `stored-text` checksums do (ninth
 * pass). The sums themselves are in digest-sum.ts. Written for the bench, not taken from steward
 * (`canonicalText`), so the hand-written baseline owes steward nothing: what a careful engineer
 * writes in an afternoon.
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
