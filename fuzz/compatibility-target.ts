import { writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { checkPair } from './no-false-pass.js';
import type { FuzzOptions } from './run.js';
import { schemaFamily } from './schema-arbitrary.js';

const trace = process.env.STEWARD_FUZZ_TRACE;

/** Pairs per generated family: one schema and this many variants of it. */
const variants = 4;

/** Figures of a run of the no-false-pass property. */
export interface NoFalsePassFigures {
  pairs: number;
  passes: number;
  documents: number;
  unsupported: number;
}

/**
 * Runs the no-false-pass property over `pairs` generated schema pairs (fast-check, seeded), each
 * with its own documents; throws with the shrunk counterexample on the first failure.
 */
export function runNoFalsePass(
  pairs: number,
  seed: number,
  onProgress?: (f: NoFalsePassFigures) => void,
): NoFalsePassFigures {
  const figures: NoFalsePassFigures = { pairs: 0, passes: 0, documents: 0, unsupported: 0 };
  const result = fc.check(
    fc.property(schemaFamily(variants), fc.integer(), ([before, afters], docSeed) => {
      for (const after of afters) {
        // STEWARD_FUZZ_TRACE=<file>: the pair being checked, to find one that never finishes.
        if (trace) writeFileSync(trace, `${JSON.stringify(before)}\n${JSON.stringify(after)}\n`);
        const started = Date.now();
        const outcome = checkPair(before, after, docSeed);
        const ms = Date.now() - started;
        if (ms > 1000)
          console.error(`slow pair (${ms} ms):\n  ${JSON.stringify(before)}\n  ${JSON.stringify(after)}`);
        figures.pairs++;
        figures.passes += outcome.passes;
        figures.documents += outcome.documents;
        if (outcome.unsupported) figures.unsupported++;
        if (onProgress && figures.pairs % 10_000 === 0) onProgress(figures);
        if (outcome.failure) throw new Error(outcome.failure);
      }
    }),
    { numRuns: Math.ceil(pairs / variants), seed },
  );
  if (result.failed) {
    const error = result.errorInstance as Error | undefined;
    throw new Error(
      `after ${result.numRuns} pairs (seed ${seed}, path ${result.counterexamplePath}), shrunk ${result.numShrinks} time(s):\n${error?.message ?? String(result.errorInstance)}`,
    );
  }
  return figures;
}

export async function compatibilityTarget(options: FuzzOptions): Promise<void> {
  const pairs = options.pairs ?? 1_000_000;
  const seed = options.seed ?? Date.now() % 2 ** 31;
  const started = Date.now();
  console.log(`compatibility: ${pairs} schema pairs, seed ${seed}`);
  const show = (f: NoFalsePassFigures) =>
    `${f.pairs} pairs, ${f.passes} compatible verdicts, ${f.documents} documents checked against them, ${f.unsupported} pairs with an unsupported finding, ${((Date.now() - started) / 1000).toFixed(0)} s`;
  const figures = runNoFalsePass(pairs, seed, (f) => console.log(`  … ${show(f)}`));
  console.log(`✓ compatibility: no false pass in ${show(figures)}`);
}
