import { formatCount } from '../../core/format-count.js';
import type { ResolvedDerived } from '../derived.js';
import {
  failWriteNeedsSynchronousRule,
  immediateNeedsSynchronousRule,
  kindMatchesLinkRule,
  unansweredRule,
} from './contract-rules.js';
import { irreversibleOnStaleRule, snapshotRefreshRule } from './freshness-rules.js';
import type { LintFinding, LintRule } from './lint-finding.js';
import { nameContradictsRule, nameHidesAuthorityRule } from './naming-rules.js';

/** Every rule `derived lint` runs, in the order findings are listed for each declaration. */
export const lintRules: readonly LintRule[] = [
  snapshotRefreshRule,
  irreversibleOnStaleRule,
  immediateNeedsSynchronousRule,
  failWriteNeedsSynchronousRule,
  kindMatchesLinkRule,
  unansweredRule,
  nameHidesAuthorityRule,
  nameContradictsRule,
];

/** The rule ids a declaration's `lint.accept` may name. */
export const lintRuleIds: readonly string[] = lintRules.map((r) => r.id);

/** A warning the owner accepted for its declaration, with the reason given. */
export interface AcceptedFinding extends LintFinding {
  readonly reason: string;
}

/** Findings of a lint run and how many of each severity; accepted warnings are listed apart. */
export interface LintReport {
  readonly findings: readonly LintFinding[];
  readonly errors: number;
  readonly warnings: number;
  readonly accepted: readonly AcceptedFinding[];
}

/**
 * Reviews declared derived state against the derived-state contract: every question answered,
 * snapshots left alone, no irreversible decision on stale state, freshness the refresh can keep,
 * names that say what the value is. Pure, no store, no clock. Findings come per declaration,
 * errors first. A warning the declaration accepts (`lint.accept`) is moved to `accepted`; an
 * error cannot be accepted, and an acceptance that matches no warning is itself a warning, so
 * acceptances do not outlive the reason they were written for.
 */
export function lintDerived(
  declarations: Iterable<ResolvedDerived>,
  rules: readonly LintRule[] = lintRules,
): LintReport {
  const findings: LintFinding[] = [];
  const accepted: AcceptedFinding[] = [];
  for (const d of declarations) {
    const own = rules.flatMap((rule) => rule.check(d));
    const acceptance = (f: LintFinding) =>
      f.severity === 'warning' ? d.lintAccept?.find((a) => a.rule === f.rule) : undefined;
    for (const f of own) {
      const a = acceptance(f);
      if (a) accepted.push({ ...f, reason: a.reason });
    }
    const open = [...own.filter((f) => !acceptance(f)), ...unusedAcceptances(d, own)];
    findings.push(
      ...open.filter((f) => f.severity === 'error'),
      ...open.filter((f) => f.severity !== 'error'),
    );
  }
  const errors = findings.filter((f) => f.severity === 'error').length;
  return { findings, errors, warnings: findings.length - errors, accepted };
}

function unusedAcceptances(d: ResolvedDerived, own: readonly LintFinding[]): LintFinding[] {
  return (d.lintAccept ?? [])
    .filter((a) => !own.some((f) => f.rule === a.rule && f.severity === 'warning'))
    .map((a) => ({
      rule: 'accept-unused',
      severity: 'warning' as const,
      derived: d.name,
      path: 'lint.accept',
      message: own.some((f) => f.rule === a.rule)
        ? `accepts ${a.rule}, but that finding is an error here and cannot be accepted`
        : `accepts ${a.rule}, which finds nothing here`,
      suggestion: `remove { rule: '${a.rule}' } from lint.accept`,
    }));
}

/** The report as lines for a terminal: one block per finding. */
export function renderLintReport(report: LintReport): string[] {
  const lines = report.findings.flatMap((f) => [
    `${f.severity} ${f.rule}  ${f.derived} ${f.path}: ${f.message}`,
    `  fix: ${f.suggestion}`,
  ]);
  for (const f of report.accepted) lines.push(`accepted ${f.rule}  ${f.derived} ${f.path}: ${f.reason}`);
  const accepted = report.accepted.length > 0 ? `, ${formatCount(report.accepted.length)} accepted` : '';
  lines.push(
    report.findings.length === 0
      ? `no findings: every contract is answered${accepted}`
      : `${formatCount(report.errors)} error(s), ${formatCount(report.warnings)} warning(s)${accepted}`,
  );
  return lines;
}
