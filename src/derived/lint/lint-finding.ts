import type { ResolvedDerived } from '../derived.js';

/** How bad a finding is: an error fails `derived lint`; a warning fails it only with `--strict`. */
export type LintSeverity = 'error' | 'warning';

/**
 * One thing wrong with a declaration: which rule, on which derived state and which setting or
 * path of it, what is wrong and what to do instead.
 */
export interface LintFinding {
  readonly rule: string;
  readonly severity: LintSeverity;
  /** The derived state's name, `<collection>.<field>`. */
  readonly derived: string;
  /** The setting or path the finding is about, such as `refresh` or `consumers[0]`. */
  readonly path: string;
  readonly message: string;
  readonly suggestion: string;
}

/**
 * A lint rule: a pure function from one declaration to its findings. Rules see the resolved
 * declaration only, never the store: lint is a review of the contract, not of the data.
 */
export interface LintRule {
  readonly id: string;
  /** One line saying what the rule checks. */
  readonly summary: string;
  check(derived: ResolvedDerived): LintFinding[];
}
