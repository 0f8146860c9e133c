import type { ApplyEta } from '../report/dry-run-report.js';
import type { WriteGrowth } from './write-growth-probe.js';

/**
 * Apply's time per document over the sandbox pass's, at the same collection size: apply reads
 * each document, saves its before-image, writes it, checks what it wrote and checkpoints each
 * batch, where the pass reads, runs `up` and writes. Measured with
 * `bench/scenarios/migrate-dry-run.ts` (BENCHMARKS.md, 2026-12-05, a loaded machine): 1.3-3.2 on
 * SQLite, 2.5 on FerretDB 1.24, 2.7 on DynamoDB Local; the range covers them with a margin. A
 * change to apply's cost changes this: measure it again with that scenario.
 */
export const applyWorkFactor = { low: 1.5, likely: 2.5, high: 4.5 } as const;

/** What the dry run measured of one collection, for {@link estimateApply}. */
export interface EtaInput {
  /** Documents the real collection holds (an estimate): what apply will read. */
  readonly documents: number;
  /** Documents the sandbox pass examined, and how long it took. */
  readonly examined: number;
  readonly passMs: number;
  /** Documents the sandbox held while the pass ran. */
  readonly sandboxDocuments: number;
  /** Keyed writes timed in the sandbox and in a quarter of it; undefined when not probed. */
  readonly growth?: WriteGrowth;
}

/**
 * The time apply will take on the whole collection, with a range and the method in words: the
 * pass's cost per document at the sample's size, times apply's work over the pass's, times how
 * the cost per document grows from the sandbox's size to the real one. That growth is the keyed
 * write's, timed at two sizes (`write-growth-probe.ts`) and extrapolated as a power of the size:
 * cost(n) = cost(S) x (n / S)^a, with a = log(cost ratio) / log(size ratio). A write that scans
 * the collection (FerretDB 1.24) gives a near 1, an indexed store near 0; a is counted only when
 * the larger collection is clearly slower (the lower quartile of the paired exponents above 0),
 * else it is noise and 0. The range takes the quartiles of a and the ends of the work factor. Pure.
 */
export function estimateApply(input: EtaInput): ApplyEta {
  const perDocumentMs = input.passMs / Math.max(input.examined, 1);
  const exponent = growthExponent(input.growth);
  const scale = Math.max(1, input.documents / Math.max(input.sandboxDocuments, 1));
  const total = (work: number, a: number) =>
    round((input.documents * work * perDocumentMs * scale ** a) / 1000, 3);
  const { low, likely, high } = applyWorkFactor;
  return {
    documents: input.documents,
    seconds: total(likely, exponent.likely),
    low: total(low, exponent.low),
    high: total(high, exponent.high),
    sandboxDocuments: input.sandboxDocuments,
    passMsPerDocument: round(perDocumentMs, 4),
    writeMs: input.growth
      ? {
          smallDocuments: input.growth.smallDocuments,
          small: round(median(input.growth.smallMs), 3),
          largeDocuments: input.growth.largeDocuments,
          large: round(median(input.growth.largeMs), 3),
        }
      : null,
    growthExponent: {
      low: round(exponent.low, 3),
      likely: round(exponent.likely, 3),
      high: round(exponent.high, 3),
    },
    method: methodOf(input, exponent.likely),
  };
}

function methodOf(input: EtaInput, exponent: number): string {
  const work = `${applyWorkFactor.likely}x (${applyWorkFactor.low}-${applyWorkFactor.high}x) the sandbox pass's time per document`;
  if (!input.growth)
    return `${work}; no growth with the collection's size measured (the sandbox holds the whole collection, or too few documents to time)`;
  const sizes = `${input.growth.smallDocuments} and ${input.growth.largeDocuments} documents`;
  return exponent > 0
    ? `${work}, times (${input.documents} / ${input.sandboxDocuments})^${round(exponent, 2)}: a keyed write's cost grew as the size to that power between ${sizes}`
    : `${work}; a keyed write cost about the same in ${sizes}, so no growth with the collection's size`;
}

/** The largest exponent believed: a write that costs more than the square of the size is noise. */
const maxExponent = 2;

/**
 * The exponent a of cost(n) ~ n^a from the paired timings: per pair log(large / small) over
 * log(size ratio); its quartiles. 0 unless the lower quartile is above 0 (the larger collection
 * clearly slower); the high end keeps the median then, so the range says what growth the noise
 * leaves possible.
 */
export function growthExponent(growth: WriteGrowth | undefined): {
  low: number;
  likely: number;
  high: number;
} {
  const none = { low: 0, likely: 0, high: 0 };
  if (!growth || growth.largeMs.length === 0 || growth.largeDocuments <= growth.smallDocuments) return none;
  const sizes = Math.log(growth.largeDocuments / Math.max(growth.smallDocuments, 1));
  const exponents = growth.largeMs
    .map((ms, i) => Math.log(Math.max(ms, 1e-3) / Math.max(growth.smallMs[i] ?? ms, 1e-3)) / sizes)
    .sort((a, b) => a - b);
  const at = (q: number) => Math.min(maxExponent, Math.max(0, quantile(exponents, q)));
  if (at(0.25) <= 0) return { ...none, high: at(0.5) };
  return { low: at(0.25), likely: at(0.5), high: at(0.75) };
}

function median(values: readonly number[]): number {
  return quantile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
}

/** The q-quantile of sorted values, interpolated. */
function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const at = (sorted.length - 1) * q;
  const below = Math.floor(at);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (at - below);
}

function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
