import type { ApplyEta } from '../report/dry-run-report.js';
import type { WriteGrowth } from './write-growth-probe.js';

/**
 * The real apply's time per document over the sandboxed apply's (read, plan, digests, before-
 * image, conditional write, checkpoint, as `migrate-sandbox.ts` runs them), plus a second read of
 * each document: apply reads the collection in its canary pass and again in the rest. What is left
 * (gates, the lease, the changelog, audit records) was measured with
 * `bench/scenarios/migrate-dry-run.ts` (BENCHMARKS.md, issue 17): see there. A change to apply's
 * cost that the sandboxed apply does not share changes this: measure it again with that scenario.
 */
export const applyResidual = { low: 0.75, likely: 1, high: 1.5 } as const;

/** What the dry run measured of one collection, for {@link estimateApply}. */
export interface EtaInput {
  /** Documents the real collection holds (an estimate): what apply will read. */
  readonly documents: number;
  /** Documents the sandbox pass examined, and how long it took (wall). */
  readonly examined: number;
  readonly passMs: number;
  /** Of `passMs`, waiting for pages of the sandbox; 0 when not known. */
  readonly readMs?: number;
  /**
   * The pass's batches written through apply's batch write: documents, wall time from the page
   * read to the checkpoint saved, and this process's CPU time in them. Absent or empty: the
   * whole pass stands for them.
   */
  readonly applied?: { readonly documents: number; readonly ms: number; readonly cpuMs: number };
  /**
   * How much slower than alone a CPU-bound task ran while the pass did (`cpu-contention.ts`): 1 on
   * a quiet machine. Absent: taken as 1.
   */
  readonly contention?: number;
  /** Documents the sandbox held while the pass ran. */
  readonly sandboxDocuments: number;
  /** Keyed writes timed in the sandbox and in a quarter of it; undefined when not probed. */
  readonly growth?: WriteGrowth;
}

/**
 * The time apply will take on the whole collection, with a range and the method in words: the
 * sandboxed apply's time per document at the sample's size (plus the second read apply makes),
 * times how the cost per document grows from the sandbox's size to the real one. That growth is
 * the keyed write's, timed at two sizes (`write-growth-probe.ts`) and extrapolated as a power of
 * the size: cost(n) = cost(S) x (n / S)^a, with a = log(cost ratio) / log(size ratio). A write
 * that scans the collection (FerretDB 1.24) gives a near 1, an indexed store near 0; a is counted
 * only when the larger collection is clearly slower (the lower quartile of the paired exponents
 * above 0), else it is noise and 0.
 *
 * The likely figure assumes apply runs under the load the dry run met. When the machine was busy
 * (`contention` c above 1: a CPU-bound task ran c times slower than alone), the wall time of a job
 * of minutes is not pinned by a second of timing: the load moves (BENCHMARKS.md: FerretDB's apply
 * took 60 s and 104 s of wall time for the same 33-34 s of server CPU at load 11-15). So the range
 * reaches from a quiet machine (everything, a store server on this machine included, c times
 * faster) to one as much busier again (c times slower), besides the quartiles of a and the ends
 * of {@link applyResidual}. Pure.
 */
export function estimateApply(input: EtaInput): ApplyEta {
  const examined = Math.max(input.examined, 1);
  const readMs = (input.readMs ?? 0) / examined;
  const applied = input.applied?.documents ? input.applied : undefined;
  const writeMs = applied ? applied.ms / applied.documents : (input.passMs - (input.readMs ?? 0)) / examined;
  const cpuMs = applied ? applied.cpuMs / applied.documents : 0;
  // Apply reads every document twice (its canary pass, then the rest) and writes it once.
  const perDocumentMs = writeMs + 2 * readMs;
  const exponent = growthExponent(input.growth);
  const scale = Math.max(1, input.documents / Math.max(input.sandboxDocuments, 1));
  const contention = Math.max(1, input.contention ?? 1);
  const total = (residual: number, a: number, share = 1) =>
    round((input.documents * residual * perDocumentMs * share * scale ** a) / 1000, 3);
  const { low, likely, high } = applyResidual;
  return {
    documents: input.documents,
    seconds: total(likely, exponent.likely),
    low: total(low, exponent.low, 1 / contention),
    high: total(high, exponent.high, contention),
    sandboxDocuments: input.sandboxDocuments,
    passMsPerDocument: round(input.passMs / examined, 4),
    applyMsPerDocument: round(perDocumentMs, 4),
    readMsPerDocument: round(readMs, 4),
    cpuMsPerDocument: round(cpuMs, 4),
    contention: round(contention, 2),
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
    method: methodOf(input, exponent.likely, contention),
  };
}

function methodOf(input: EtaInput, exponent: number, contention: number): string {
  const base = `apply's time per document timed in the sandbox (its batch write: before-images, conditional writes, a checkpoint a batch) and two reads of each document, ${applyResidual.likely}x (${applyResidual.low}-${applyResidual.high}x)`;
  const load =
    contention >= 1.2
      ? `; the machine was busy (a CPU-bound task ran ${round(contention, 1)}x slower than alone): the figure assumes apply meets the same load, the range reaches from a quiet machine to one as much busier again`
      : '';
  if (!input.growth)
    return `${base}; no growth with the collection's size measured (the sandbox holds the whole collection, or too few documents to time)${load}`;
  const sizes = `${input.growth.smallDocuments} and ${input.growth.largeDocuments} documents`;
  return exponent > 0
    ? `${base}, times (${input.documents} / ${input.sandboxDocuments})^${round(exponent, 2)}: a keyed write's cost grew as the size to that power between ${sizes}${load}`
    : `${base}; a keyed write cost about the same in ${sizes}, so no growth with the collection's size${load}`;
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
