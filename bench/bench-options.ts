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
  /** migrate-mongo's batch in `migrate-mongo-side-by-side` (its users' 1,000 hangs FerretDB 1.24). Default 50. */
  readonly mongoBatch: number;
  /**
   * Characters of padding added to each `refs-scan` target (`--target-pad`), for targets that
   * overflow a page. Absent or 0: none (options built by hand, in tools and tests, leave it out).
   */
  readonly targetPad?: number;
}

/** What a scenario may set in place of the runner's defaults (`--docs`, `--batch`). */
export interface BenchDefaults {
  readonly docs?: number;
  readonly batch?: number;
}

export const benchUsage = `usage: npm run bench -- <scenario> --store sqlite|mongodb|dynamodb --docs N [--batch N] [--seed S] [--rounds R] [--keep] [--mongo-batch N] [--target-pad N]
       npm run bench -- --list`;

const kinds: readonly StoreKind[] = ['sqlite', 'mongodb', 'dynamodb'];

/** The batch each store's driver writes best with: one transaction, one insertMany, 8 x 25 items. */
export function defaultBatch(store: StoreKind): number {
  return store === 'sqlite' ? 5000 : 1000;
}

/**
 * Parses `bench/run.ts` arguments; `list` when the caller asked for the scenario list. Throws
 * `usage`. `defaults` are the scenario's own, for the flags not given.
 */
export function parseBenchOptions(
  argv: readonly string[],
  defaults: BenchDefaults = {},
): BenchOptions | 'list' {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      store: { type: 'string', default: 'sqlite' },
      docs: { type: 'string' },
      batch: { type: 'string' },
      seed: { type: 'string', default: 'bench' },
      rounds: { type: 'string', default: '1' },
      keep: { type: 'boolean', default: false },
      'mongo-batch': { type: 'string', default: '50' },
      'target-pad': { type: 'string', default: '0' },
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
    docs: values.docs === undefined ? (defaults.docs ?? 100_000) : positiveInt('--docs', values.docs),
    batch:
      values.batch === undefined
        ? (defaults.batch ?? defaultBatch(store))
        : positiveInt('--batch', values.batch),
    seed: values.seed,
    rounds: positiveInt('--rounds', values.rounds),
    keep: values.keep,
    mongoBatch: positiveInt('--mongo-batch', values['mongo-batch']),
    targetPad: wholeNumber('--target-pad', values['target-pad']),
  };
}

function positiveInt(flag: string, text: string): number {
  const n = Number(text.replaceAll('_', ''));
  if (!Number.isInteger(n) || n < 1) throw usage(`${flag} must be a whole number above 0, not "${text}"`);
  return n;
}

function wholeNumber(flag: string, text: string): number {
  const n = Number(text.replaceAll('_', ''));
  if (!Number.isInteger(n) || n < 0) throw usage(`${flag} must be a whole number, 0 or more, not "${text}"`);
  return n;
}

function usage(problem: string): StewardError {
  return new StewardError('usage', `${problem}\n${benchUsage}`);
}
