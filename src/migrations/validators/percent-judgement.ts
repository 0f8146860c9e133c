import { formatCount } from '../../core/format-count.js';

/**
 * How a percentage gate is judged. Over a whole collection the percentage is a fact and is compared
 * as it is. Over a sample (apply's canary, a few percent of the documents chosen by key hash) it is
 * an estimate, and comparing the estimate alone turns one document into a verdict: one bad document
 * among 14 is 92.9%, below a `minPercent` of 99 that the whole collection meets. So a sample fails
 * the gate only when it shows, at 95% confidence, that fewer than `minPercent` of the documents
 * conform: when the upper bound of the Wilson score interval of its share is below `minPercent`.
 * The Wilson interval (not the normal approximation) because canaries are small and shares near
 * 100%, where the normal interval collapses to a point. At `minPercent` 100 the rule is exact
 * either way: one failure anywhere fails.
 */

/** z for a two-sided 95% interval. */
const z95 = 1.959963984540054;

/** The upper bound of the Wilson score interval of `successes` out of `n`, as a share (0..1). */
export function wilsonUpperBound(successes: number, n: number, z = z95): number {
  if (n === 0) return 1;
  const p = successes / n;
  const z2 = z * z;
  const centre = p + z2 / (2 * n);
  const margin = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return Math.min(1, (centre + margin) / (1 + z2 / n));
}

/** A percentage gate's verdict, and the words that explain it. */
export interface PercentJudgement {
  readonly ok: boolean;
  /** "at least 99% needed", with the bound on a sample. */
  readonly rule: string;
}

/**
 * Judges `conforming` of `checked` against `minPercent`: exactly over a whole collection, by the
 * upper Wilson bound over a sample (see the file comment). Pure.
 */
export function judgePercent(input: {
  readonly conforming: number;
  readonly checked: number;
  readonly minPercent: number;
  /** What the documents are a sample of, such as "the canary"; absent for a whole collection. */
  readonly sample?: string;
}): PercentJudgement {
  const { conforming, checked, minPercent } = input;
  if (minPercent >= 100 || input.sample === undefined) {
    const percent = checked === 0 ? 100 : (conforming / checked) * 100;
    return { ok: percent >= minPercent, rule: `at least ${minPercent}% needed` };
  }
  const bound = wilsonUpperBound(conforming, checked) * 100;
  const shown = Math.floor(bound * 100) / 100;
  return {
    ok: bound >= minPercent,
    rule:
      `at least ${minPercent}% needed; ${input.sample} is a sample of ${formatCount(checked)}, so it fails only when ` +
      `the 95% upper bound of its share (${shown}%) is below that`,
  };
}
