import type { ResolvedConfig } from '../config/resolved-config.js';
import { StewardError } from '../errors/steward-error.js';
import {
  type ExampleManifest,
  type GenerateExampleOptions,
  generateExample,
} from '../example/generate-example.js';
import type { RunOptions } from './run-options.js';
import { withStores } from './with-stores.js';

/** Where to build the example, and how. */
export interface ExampleGenerateInput extends Omit<GenerateExampleOptions, 'onProgress'> {
  /** A store of the config; default its only store (a usage error when it has several). */
  readonly store?: string;
}

/** Documents written so far, of the total. */
export interface ExampleProgress {
  readonly done: number;
  readonly total: number;
}

/**
 * Builds the case-management example in a configured store, with the faults asked for injected on
 * purpose. The same `docs` and `seed` give the same documents on every store; the manifest lists
 * every injected fault, so a check knows the right answer.
 */
export function exampleGenerate(
  config: ResolvedConfig,
  input: ExampleGenerateInput,
  options: RunOptions<ExampleProgress> = {},
): Promise<{ readonly store: string; readonly manifest: ExampleManifest }> {
  const { store: named, ...settings } = input;
  const store = named ?? soleStore([...config.stores.keys()]);
  return withStores(config, [store], async (stores) => {
    const manifest = await generateExample(stores.get(store)!, {
      ...settings,
      onProgress: (done, total) => options.onProgress?.({ done, total }),
    });
    return { store, manifest };
  });
}

function soleStore(names: string[]): string {
  if (names.length === 1) return names[0]!;
  throw new StewardError(
    'usage',
    `name the store to build the example in with --store (one of ${names.join(', ')})`,
  );
}
