import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { StewardError } from '../errors/steward-error.js';
import { importDefault, loadErrorMessage } from './import-module.js';
import { resolveConfig } from './resolve-config.js';
import type { ResolvedConfig } from './resolved-config.js';

/** File names steward looks for, in order, in the working directory. */
export const configFileNames = [
  'steward.config.ts',
  'steward.config.mts',
  'steward.config.mjs',
  'steward.config.js',
  'steward.config.json',
];

/**
 * Finds, loads and validates the config. `path` is a file given with `--config`; without it
 * the working directory is searched for {@link configFileNames}. TypeScript configs are loaded
 * with jiti, so users need no build step.
 */
export async function loadConfig(
  options: { path?: string; cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<ResolvedConfig> {
  const cwd = options.cwd ?? process.cwd();
  const file = options.path
    ? resolve(cwd, options.path)
    : configFileNames.map((n) => join(cwd, n)).find(existsSync);
  if (!file || !existsSync(file)) {
    const looked = options.path ? file : `${cwd} (${configFileNames.join(', ')})`;
    throw new StewardError(
      'config.not-found',
      `no steward config found at ${looked}; run "steward init" to write one`,
    );
  }
  const raw = await importConfig(file);
  return resolveConfig(raw, { file, baseDir: dirname(file), ...(options.env ? { env: options.env } : {}) });
}

async function importConfig(file: string): Promise<unknown> {
  try {
    return await importDefault(file, (value) => (value as { stores?: unknown }).stores !== undefined);
  } catch (error) {
    throw new StewardError(
      'config.invalid',
      `${file} could not be loaded: ${loadErrorMessage(error, file)}`,
      { file },
      { cause: error },
    );
  }
}
