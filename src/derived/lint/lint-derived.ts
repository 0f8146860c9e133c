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

/** Findings of a lint run and how many of each severity. */
export interface LintReport {
  readonly findings: readonly LintFinding[];
  readonly errors: number;
  readonly warnings: number;
}

/**
 * Reviews declared derived state against the contract of seed 001 (sections 3, 6, 9, 11, 12):
 * pure, no store, no clock. Findings come per declaration, errors first.
 */
export function lintDerived(
  declarations: Iterable<ResolvedDerived>,
  rules: readonly LintRule[] = lintRules,
): LintReport {
  const findings: LintFinding[] = [];
  for (const d of declarations) {
    const own = rules.flatMap((rule) => rule.check(d));
    findings.push(...own.filter((f) => f.severity === 'error'), ...own.filter((f) => f.severity !== 'error'));
  }
  const errors = findings.filter((f) => f.severity === 'error').length;
  return { findings, errors, warnings: findings.length - errors };
}

/** The report as lines for a terminal: one block per finding. */
export function renderLintReport(report: LintReport): string[] {
  const lines = report.findings.flatMap((f) => [
    `${f.severity} ${f.rule}  ${f.derived} ${f.path}: ${f.message}`,
    `  fix: ${f.suggestion}`,
  ]);
  lines.push(
    report.findings.length === 0
      ? 'no findings: every contract is answered'
      : `${report.errors} error(s), ${report.warnings} warning(s)`,
  );
  return lines;
}
