import type { ResolvedConfig } from '../../config/resolved-config.js';
import {
  type SourceAmplification,
  writeAmplification,
} from '../../derived/amplification/write-amplification.js';
import type { ResolvedDerived } from '../../derived/derived.js';
import { type LintReport, lintDerived } from '../../derived/lint/lint-derived.js';
import { checkDeclarations } from '../contracts/check-declarations.js';
import { selectDerived } from './select-derived.js';

/**
 * Write amplification per source collection of the named derived states (default all): the
 * derived writes one logical write of a source document causes. From the declarations; reads no
 * store.
 */
export function derivedAmplification(
  config: ResolvedConfig,
  input: { readonly derived?: readonly string[] } = {},
): SourceAmplification[] {
  return writeAmplification(selectDerived(input.derived ?? [], config));
}

/** The lint report of the declarations, and whether it fails: errors, or warnings with `strict`. */
export type DerivedLintResult = LintReport & { readonly ok: boolean };

/**
 * Reviews the contracts of the named derived states (default all): every question answered, no
 * stale state behind irreversible decisions, snapshots never refreshed automatically, names that
 * say what the value is. Reads the config, and the contracts to check that they declare the
 * config's references alike (`config.invalid` otherwise).
 */
export async function derivedLint(
  config: ResolvedConfig,
  input: { readonly derived?: readonly string[]; readonly strict?: boolean } = {},
): Promise<DerivedLintResult> {
  const selected = selectDerived(input.derived ?? [], config);
  await checkDeclarations(config);
  const report = lintDerived(selected);
  const failed = report.errors > 0 || (input.strict === true && report.warnings > 0);
  return { ok: !failed, ...report };
}

/** One declared derived state and the answers of its contract, as text. */
export interface DerivedDescription {
  readonly name: string;
  readonly kind: ResolvedDerived['kind'];
  readonly snapshot: boolean;
  /** For a value inside array elements: how an element is identified (`keyed by sku`, `by position`). */
  readonly element?: string;
  /** The source collection, its link, and its filter. */
  readonly source: string;
  readonly transform: string;
  readonly refresh: ResolvedDerived['refresh'];
  /** `immediate`, or the allowance in seconds (`300s`). */
  readonly staleness: string;
  readonly onFailure: ResolvedDerived['onFailure'];
  readonly validation: ResolvedDerived['validation'];
  readonly repair: ResolvedDerived['repair'];
  readonly consumers: string;
  readonly version: number;
}

/** The named derived states (default all) with the answers of their contracts. Reads the config only. */
export function derivedList(
  config: ResolvedConfig,
  input: { readonly derived?: readonly string[] } = {},
): DerivedDescription[] {
  return selectDerived(input.derived ?? [], config).map(describe);
}

function describe(d: ResolvedDerived): DerivedDescription {
  const link =
    d.source.link.by === 'self'
      ? 'its own fields'
      : d.source.link.by === 'via'
        ? `via ${d.source.link.field}`
        : `where ${d.source.link.field} = key`;
  return {
    name: d.name,
    kind: d.kind,
    snapshot: d.snapshot,
    ...(d.element ? { element: d.element.key ? `keyed by ${d.element.key}` : 'by position' } : {}),
    source: `${d.source.collection} (${link}${d.source.whereRaw ? `, ${JSON.stringify(d.source.whereRaw)}` : ''})`,
    transform: transformOf(d.transform),
    refresh: d.refresh,
    staleness: d.stalenessMs === undefined ? 'immediate' : `${d.stalenessMs / 1000}s`,
    onFailure: d.onFailure,
    validation: d.validation,
    repair: d.repair,
    consumers:
      d.consumers.map((c) => `${c.service}${c.irreversible ? ' (irreversible decisions)' : ''}`).join(', ') ||
      'none declared',
    version: d.version,
  };
}

function transformOf(t: ResolvedDerived['transform']): string {
  if (t.type === 'count') return 'count';
  if (t.type === 'function') return 'a function';
  if (t.type === 'latest') return `latest ${t.field} by ${t.by}`;
  if (t.type === 'multiply') return `multiply ${t.fields.join(' * ')}`;
  return `${t.type} ${t.field}`;
}
