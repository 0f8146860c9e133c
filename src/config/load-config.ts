import { existsSync, readFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { StewardError } from '../errors/steward-error.js';
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
 * with tsx, so users need no build step.
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

let selfResolveRegistered = false;

/** Makes `import ... from 'steward'` in a config resolve to this steward (see self-resolve-hook). */
function registerSelfResolve(): void {
  if (selfResolveRegistered) return;
  selfResolveRegistered = true;
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  const selfUrl = new URL(`../index${ext}`, import.meta.url);
  register(new URL(`./self-resolve-hook${ext}`, import.meta.url).href, { data: { selfUrl: selfUrl.href } });
  // tsx compiles a .ts config outside an ESM package to CommonJS, which module hooks do not
  // reach on Node 20; the CommonJS resolver is taught the same one name.
  const cjs = createRequire(import.meta.url)('node:module') as {
    _resolveFilename: (request: string, ...rest: unknown[]) => string;
  };
  const original = cjs._resolveFilename;
  cjs._resolveFilename = function (request: string, ...rest: unknown[]) {
    return request === 'steward' ? fileURLToPath(selfUrl) : original.call(this, request, ...rest);
  };
}

async function importConfig(file: string): Promise<unknown> {
  registerSelfResolve();
  try {
    if (file.endsWith('.json')) return JSON.parse(readFileSync(file, 'utf8'));
    if (/\.m?ts$/.test(file)) {
      const { tsImport } = await import('tsx/esm/api');
      const mod = (await tsImport(pathToFileURL(file).href, import.meta.url)) as { default?: unknown };
      // A config compiled to CommonJS arrives wrapped once more: { default: { default: config } }.
      const outer = mod.default as { default?: unknown; stores?: unknown } | undefined;
      return outer && outer.stores === undefined && outer.default !== undefined ? outer.default : outer;
    }
    const mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
    return mod.default;
  } catch (error) {
    const reason = (error as Error).message.split('\n')[0];
    throw new StewardError(
      'config.invalid',
      `${file} could not be loaded: ${reason}`,
      { file },
      { cause: error },
    );
  }
}
