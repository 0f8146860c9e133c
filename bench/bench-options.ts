import { parseArgs } from 'node:util';
import { StewardError } from '../src/errors/steward-error.js';
import type { StoreKind } from '../src/stores/store.js';

/** What one benchmark run was asked to do, parsed from the command line. */
export interface BenchOptions {
  readonly scenario: string;
  readonly store: StoreKind;
  readonly docs: number;
  /** Documents per write call; default depends on the store (see {@link defaultBatch}). */
  readonly batch: number;
  /** Seed of the generated documents. */
  readonly seed: string;
  /** Times each compared pair of phases runs, alternating; ratios use the medians. Default 1. */
  readonly rounds: number;
  /** Keep the benchmark's tables and temp files instead of dropping them. */
  readonly keep: boolean;
}

export const benchUsage = `usage: npm run bench -- <scenario> --store sqlite|mongodb|dynamodb --docs N [--batch N] [--seed S] [--rounds R] [--keep]
       npm run bench -- --list`;

const kinds: readonly StoreKind[] = ['sqlite', 'mongodb', 'dynamodb'];

/** The batch each store's driver writes best with: one transaction, one insertMany, 8 x 25 items. */
export function defaultBatch(store: StoreKind): number {
  return store === 'sqlite' ? 5000 : 1000;
}

/** Parses `bench/run.ts` arguments; `list` when the caller asked for the scenario list. Throws `usage`. */
export function parseBenchOptions(argv: readonly string[]): BenchOptions | 'list' {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      store: { type: 'string', default: 'sqlite' },
      docs: { type: 'string', default: '100000' },
      batch: { type: 'string' },
      seed: { type: 'string', default: 'bench' },
      rounds: { type: 'string', default: '1' },
      keep: { type: 'boolean', default: false },
      list: { type: 'boolean', default: false },
    },
  });
  if (values.list) return 'list';
  const [scenario, ...extra] = positionals;
  if (!scenario || extra.length > 0) throw usage('name exactly one scenario');
  const store = values.store as StoreKind;
  if (!kinds.includes(store))
    throw usage(`--store must be one of ${kinds.join(', ')}, not "${values.store}"`);
  return {
    scenario,
    store,
    docs: positiveInt('--docs', values.docs),
    batch: values.batch === undefined ? defaultBatch(store) : positiveInt('--batch', values.batch),
    seed: values.seed,
    rounds: positiveInt('--rounds', values.rounds),
    keep: values.keep,
  };
}

function positiveInt(flag: string, text: string): number {
  const n = Number(text.replaceAll('_', ''));
  if (!Number.isInteger(n) || n < 1) throw usage(`${flag} must be a whole number above 0, not "${text}"`);
  return n;
}

function usage(problem: string): StewardError {
  return new StewardError('usage', `${problem}\n${benchUsage}`);
}
