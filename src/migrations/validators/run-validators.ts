import type { LoadedContracts } from '../../contracts/load-contracts.js';
import { isStewardError } from '../../errors/steward-error.js';
import type { Collection } from '../../stores/store.js';
import type { ValidatorDefinition } from '../migration.js';
import { runConformsValidator } from './conforms-validator.js';
import { runCountValidator } from './count-validator.js';
import { type OriginalsLookup, runParityValidator } from './parity-validator.js';
import { runQueryValidator } from './query-validator.js';
import type { ValidatorResult } from './validator-result.js';

export interface RunValidatorsInput {
  readonly validators: readonly ValidatorDefinition[];
  /** The collection a validator's `collection` names: the real one, a sandbox, a canary view. */
  readonly collectionFor: (name: string) => Collection;
  readonly contracts: LoadedContracts;
  /** About how many documents `parity` compares, chosen by key hash. Default 1000. */
  readonly sample?: number;
  /** The documents before the migration, for `parity` (see {@link OriginalsLookup}). */
  readonly originals?: OriginalsLookup;
  /**
   * Why `count` bounds cannot be checked here, such as "the sandbox holds a sample": each count
   * validator is then reported as skipped with this reason instead of failing on a partial count.
   */
  readonly skipCounts?: string;
  /**
   * What the collections are a sample of, such as "the canary": percentage validators are then
   * judged with the sample's size (see `percent-judgement.ts`) instead of as exact shares.
   */
  readonly sampleOf?: string;
}

/** Documents parity compares unless told otherwise. */
export const defaultParitySample = 1000;

/**
 * Runs validators in order and returns one result each. Never throws for what it finds: a check
 * that throws is a reported problem, and a validator the store refuses (its collection does not
 * exist, a bad `where`) is a failed result saying so. Only an unexpected error (a bug, a lost
 * connection that is not a StewardError) propagates.
 */
export async function runValidators(input: RunValidatorsInput): Promise<ValidatorResult[]> {
  const results: ValidatorResult[] = [];
  for (const v of input.validators) results.push(await runOne(v, input));
  return results;
}

async function runOne(v: ValidatorDefinition, input: RunValidatorsInput): Promise<ValidatorResult> {
  try {
    const collection = input.collectionFor(v.collection);
    switch (v.kind) {
      case 'count':
        if (input.skipCounts !== undefined)
          return {
            name: v.name,
            kind: v.kind,
            ok: true,
            message: `skipped: ${input.skipCounts}`,
            problems: [],
            skipped: true,
          };
        return await runCountValidator(v, collection);
      case 'conforms':
        return await runConformsValidator(v, collection, input.contracts, input.sampleOf);
      case 'query':
        return await runQueryValidator(v, collection);
      case 'parity':
        return await runParityValidator(v, collection, {
          sample: input.sample ?? defaultParitySample,
          ...(input.originals ? { originals: input.originals } : {}),
        });
    }
  } catch (error) {
    if (!isStewardError(error)) throw error;
    const message = `could not run on ${v.collection}: ${error.message}`;
    return { name: v.name, kind: v.kind, ok: false, message, problems: [message] };
  }
}
