import type { ResolvedDerived } from '../derived.js';
import { finding } from './contract-rules.js';
import type { LintRule } from './lint-finding.js';

/**
 * A snapshot keeps what was true at a moment ("do not auto-refresh it", section 12 pattern 1):
 * refreshing it automatically rewrites history, so only a manual refresh is allowed.
 */
export const snapshotRefreshRule: LintRule = {
  id: 'snapshot-refreshed',
  summary: 'a snapshot is never refreshed automatically',
  check(d) {
    if (!d.snapshot || d.refresh === 'manual') return [];
    const what = d.kind === 'snapshot' ? 'is a snapshot' : 'is marked snapshot: true';
    const how = d.defaulted?.includes('refresh') ? `${d.refresh} (the default)` : d.refresh;
    return [
      finding(
        d,
        'snapshot-refreshed',
        'refresh',
        `${what} but its refresh is ${how}: an automatic refresh overwrites the value it was taken to keep`,
        "declare refresh: 'manual'; if the value should follow its source, it is a copy, not a snapshot",
        'error',
      ),
    ];
  },
};

/** True when the declaration lets the value lag its source: any refresh but synchronous, or an allowance. */
export function allowedStale(d: ResolvedDerived): boolean {
  return d.refresh !== 'synchronous' || (d.stalenessMs ?? 0) > 0;
}

/**
 * "A stale projection guards an irreversible decision" (section 9): a consumer that takes
 * decisions which cannot be undone must read authoritative or immediately consistent state. A
 * snapshot is correct as of its moment by design (section 9's audit evidence), so a decision on it
 * is one about that moment: a warning, to be confirmed by a human, not an error.
 */
export const irreversibleOnStaleRule: LintRule = {
  id: 'irreversible-on-stale',
  summary: 'a consumer taking irreversible decisions reads no state allowed to be stale',
  check(d) {
    if (!allowedStale(d)) return [];
    const lag =
      d.refresh !== 'synchronous'
        ? `its refresh is ${d.refresh}`
        : `its staleness allowance is ${d.stalenessMs} ms`;
    return d.consumers.flatMap((c, i) => {
      if (!c.irreversible) return [];
      if (d.snapshot)
        return [
          finding(
            d,
            'irreversible-on-stale',
            `consumers[${i}]`,
            `${c.service} takes irreversible decisions from a snapshot, the value as it was at its moment`,
            'confirm the decision is about that moment; a decision about the present must read the authoritative source',
          ),
        ];
      return [
        finding(
          d,
          'irreversible-on-stale',
          `consumers[${i}]`,
          `${c.service} takes irreversible decisions from state allowed to be stale (${lag})`,
          `let ${c.service} decide from the authoritative source (${d.source.collection}), or refresh it 'synchronous' with staleness 'immediate'`,
          'error',
        ),
      ];
    });
  },
};
