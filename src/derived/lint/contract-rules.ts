import type { ContractSetting, ResolvedDerived } from '../derived.js';
import type { LintFinding, LintRule } from './lint-finding.js';

/** What the resolver assumes when a setting is left out, and what answering it means. */
const unanswered: Record<ContractSetting, { question: string; assumed: string; suggestion: string }> = {
  refresh: {
    question: 'when it is refreshed',
    assumed: 'steward assumes asynchronous (manual for a snapshot)',
    suggestion: "declare refresh: 'synchronous', 'asynchronous', 'scheduled' or 'manual'",
  },
  staleness: {
    question: 'how stale it may be',
    assumed:
      'steward assumes what its refresh gives (immediate when synchronous, 5m asynchronous, 24h scheduled, no promise manual)',
    suggestion: "declare staleness: 'immediate' or the allowance, such as '5m'",
  },
  onFailure: {
    question: 'what happens when its update fails',
    assumed: 'steward assumes mark-stale',
    suggestion: "declare onFailure: 'fail-write', 'retry', 'mark-stale' or 'ignore'",
  },
  validation: {
    question: 'how drift is detected',
    assumed: 'steward assumes exact',
    suggestion: "declare validation: 'exact', 'sampling', 'hash', 'window' or 'checkpoint'",
  },
  repair: {
    question: 'how drift is repaired',
    assumed: 'steward assumes recompute',
    suggestion: "declare repair: 'recompute' or 'rebuild'",
  },
  consumers: {
    question: 'who may depend on it',
    assumed: 'no consumer is declared',
    suggestion: "declare consumers: [{ service: 'case-portal', irreversible: false }]",
  },
  retire: {
    question: 'how it is retired',
    assumed: 'no retirement plan is declared',
    suggestion: "declare retire, such as { after: 'case_list_v2.openTaskCount' }",
  },
};

/**
 * Every question of the derived-state contract (source, transformation, refresh, staleness,
 * failure behaviour, validation, repair, consumers, retirement) answered. The resolver already
 * refuses a declaration without kind, source or transformation, so only the settings with a
 * default can be left out here; a default is the resolver's guess, not the owner's decision. One
 * finding per declaration, naming every question left open, so an existing app sees one line per
 * declaration rather than one per setting.
 */
export const unansweredRule: LintRule = {
  id: 'contract-unanswered',
  summary: 'every question of the contract is answered, not left to a default',
  check(d) {
    const missing = new Set(d.defaulted ?? []);
    // An empty list answers nothing either, whether it was written or not.
    if (d.consumers.length === 0) missing.add('consumers');
    if (missing.size === 0) return [];
    const settings = contractSettingsIn(missing);
    const open = settings.map((s) => `${unanswered[s].question} (${unanswered[s].assumed})`);
    return [
      finding(
        d,
        'contract-unanswered',
        settings.join(', '),
        `does not say ${open.join('; ')}`,
        settings.map((s) => unanswered[s].suggestion).join('; '),
      ),
    ];
  },
};

const order = Object.keys(unanswered) as ContractSetting[];
const contractSettingsIn = (set: ReadonlySet<ContractSetting>) => order.filter((s) => set.has(s));

/**
 * Immediate freshness means "changes in the same transaction"; only a synchronous
 * refresh does that. A snapshot is exempt: it is correct as of its moment, not current.
 */
export const immediateNeedsSynchronousRule: LintRule = {
  id: 'immediate-not-synchronous',
  summary: "staleness 'immediate' needs refresh 'synchronous'",
  check(d) {
    if (d.snapshot || d.refresh === 'synchronous' || d.stalenessMs !== undefined) return [];
    if (d.defaulted?.includes('staleness')) return []; // reported as unanswered instead
    return [
      finding(
        d,
        'immediate-not-synchronous',
        'staleness',
        `must be immediate, but its refresh is ${d.refresh}: it lags its source after every write`,
        "refresh it 'synchronous' in the source's write, or declare the lag it really has, such as staleness: '5m'",
        'error',
      ),
    ];
  },
};

/**
 * "Write transaction fails if summary cannot be updated" (section 3) is possible only when the
 * update is part of the write (section 7); an asynchronous update runs after the write committed.
 */
export const failWriteNeedsSynchronousRule: LintRule = {
  id: 'fail-write-not-synchronous',
  summary: "onFailure 'fail-write' needs refresh 'synchronous'",
  check(d) {
    if (d.onFailure !== 'fail-write' || d.refresh === 'synchronous') return [];
    return [
      finding(
        d,
        'fail-write-not-synchronous',
        'onFailure',
        `is fail-write, but its refresh is ${d.refresh}: the update runs after the source write has committed`,
        "refresh it 'synchronous', or declare what happens instead: 'retry' or 'mark-stale'",
        'error',
      ),
    ];
  },
};

/**
 * The kind says what the value is (section 4): a counter or aggregate sums up many source
 * documents (`source.key`), a copy repeats one (`transform.via`). A kind that says otherwise
 * misleads whoever reads the declaration.
 */
export const kindMatchesLinkRule: LintRule = {
  id: 'kind-contradicts-source',
  summary: 'counter/aggregate read many source documents (key), copies read one (via)',
  check(d) {
    const many = d.source.link.by === 'key';
    // Computed from its own fields, a value may sum many (its lines) or copy one: the kind decides.
    if (d.source.link.by === 'self') return [];
    if ((d.kind === 'counter' || d.kind === 'aggregate') && !many)
      return [
        finding(
          d,
          'kind-contradicts-source',
          'kind',
          `is ${d.kind}, but its value comes from one source document (via ${d.source.link.field})`,
          "declare kind: 'copy' (or 'projection'), or link the source by key",
        ),
      ];
    if (d.kind === 'copy' && many)
      return [
        finding(
          d,
          'kind-contradicts-source',
          'kind',
          `is copy, but its value is computed over every source document whose ${d.source.link.field} holds its key`,
          "declare kind: 'counter' or 'aggregate'",
        ),
      ];
    return [];
  },
};

export function finding(
  d: ResolvedDerived,
  rule: string,
  path: string,
  message: string,
  suggestion: string,
  severity: LintFinding['severity'] = 'warning',
): LintFinding {
  return { rule, severity, derived: d.name, path, message, suggestion };
}
