import type { ResolvedDerived } from '../derived.js';
import { finding } from './contract-rules.js';
import type { LintRule } from './lint-finding.js';

/**
 * What a name says about its value, from the suffix conventions of seed 001 section 11 and its
 * "better names" (`balance_available_snapshot`, `status_search_projection`, `balance_authoritative`).
 */
export type NameMarker = 'snapshot' | 'cache' | 'projected' | 'as-of' | 'metadata' | 'authoritative';

/** Words of a name, lower case, split at underscores and camelCase humps: `openTaskCount` -> open, task, count. */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .split(/[_\-\s]+/)
    .filter((w) => w.length > 0)
    .map((w) => w.toLowerCase());
}

/** The marker a name ends with, or undefined when it says nothing about authority or freshness. */
export function markerOf(name: string): NameMarker | undefined {
  const w = nameWords(name);
  const last = w.at(-1);
  const before = w.at(-2);
  if (last === undefined) return undefined;
  if (before === 'as' && last === 'of') return 'as-of';
  if ((before === 'calculated' || before === 'projected') && last === 'at') return 'metadata';
  if (last === 'version' && (before === 'source' || before === 'projection')) return 'metadata';
  // `_at_submission`, `_at_issuance`, `_at_export`: the value at an event.
  if (before === 'at' && w.length > 2) return 'snapshot';
  if (last === 'snapshot') return 'snapshot';
  if (last === 'cache') return 'cache';
  if (last === 'projected' || last === 'projection') return 'projected';
  if (last === 'authoritative') return 'authoritative';
  return undefined;
}

/**
 * A collection whose own name says it is derived (section 12's `case_dashboard_projection`,
 * `report_case_snapshot`, section 22's `regulatory_case_list_projection`) lends that meaning to
 * its fields: they need no suffix of their own.
 */
function collectionSays(collection: string): boolean {
  const last = nameWords(collection).at(-1);
  return last === 'projection' || last === 'projected' || last === 'snapshot' || last === 'cache';
}

/**
 * The suffix that fits a kind (the decision is documented in docs/derived.md): a snapshot is the
 * value at an event, a copy is a display cache, a projection or search document is projected, and
 * a counter, aggregate or stored value is valid as of its calculation time.
 */
export function suffixFor(d: Pick<ResolvedDerived, 'kind' | 'snapshot'>, camel: boolean): string {
  const words = d.snapshot
    ? ['at', '<event>']
    : d.kind === 'copy'
      ? ['display', 'cache']
      : d.kind === 'projection' || d.kind === 'search'
        ? ['projected']
        : ['as', 'of'];
  return camel
    ? words.map((w) => (w.startsWith('<') ? w : w[0]!.toUpperCase() + w.slice(1))).join('')
    : `_${words.join('_')}`;
}

const meaning: Record<string, string> = {
  '_at_<event>': 'the value at an event, such as _at_submission',
  _display_cache: 'copied for display, not authority',
  _projected: 'produced by a projection',
  _as_of: 'valid as of the time stamped in _projection.<field>.projectedAt',
};

/** Names that hide their authority or freshness (section 11): `status`, `case_count`, `customer_name`. */
export const nameHidesAuthorityRule: LintRule = {
  id: 'name-hides-authority',
  summary: 'a derived field name says what it is: _at_<event>, _display_cache, _projected, _as_of...',
  check(d) {
    // A value computed from its own document (`source: 'self'`) is written with that document: it
    // is no copy of other data that could be older than it reads, so its name hides nothing.
    if (d.source.link.by === 'self') return [];
    const leaf = d.field.split('.').at(-1) ?? d.field;
    if (markerOf(leaf) !== undefined || collectionSays(d.collection)) return [];
    const camel = !leaf.includes('_') && /[A-Z]/.test(leaf);
    const suffix = suffixFor(d, camel);
    const snake = suffixFor(d, false);
    return [
      finding(
        d,
        'name-hides-authority',
        'field',
        `"${leaf}" reads like authoritative, current data, but it is ${d.snapshot ? 'a snapshot' : `a ${d.kind}`} of ${d.source.collection}`,
        `rename it ${leaf}${suffix} (${meaning[snake]}), or name its collection *_${d.snapshot ? 'snapshot' : 'projection'}`,
      ),
    ];
  },
};

/**
 * A name that promises what the declaration does not keep: `_at_<event>` or `_snapshot` on a value
 * steward refreshes (section 12 pattern 1: "do not auto-refresh it"), a cache or projection suffix
 * on a snapshot, or `_authoritative` on derived state (section 20, shadow truth).
 */
export const nameContradictsRule: LintRule = {
  id: 'name-contradicts-declaration',
  summary: 'a name promises nothing the declaration does not keep',
  check(d) {
    const leaf = d.field.split('.').at(-1) ?? d.field;
    const marker = markerOf(leaf);
    const problem =
      marker === 'snapshot' && !d.snapshot
        ? `"${leaf}" names a snapshot, but it is a ${d.kind} that repair and rebuild refresh from ${d.source.collection}`
        : (marker === 'cache' || marker === 'projected' || marker === 'as-of') && d.snapshot
          ? `"${leaf}" names a value that follows its source, but it is a snapshot, kept as it was`
          : marker === 'authoritative'
            ? `"${leaf}" claims authority, but it is derived from ${d.source.collection}`
            : undefined;
    if (!problem) return [];
    return [
      finding(
        d,
        'name-contradicts-declaration',
        'field',
        problem,
        marker === 'snapshot'
          ? "declare kind: 'snapshot' (or snapshot: true) with refresh 'manual', or rename it"
          : `rename it with the suffix of its kind: ${suffixFor(d, false)}`,
      ),
    ];
  },
};
