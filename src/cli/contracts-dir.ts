import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { configFileNames } from '../config/load-config.js';
import type { ResolvedConfig } from '../config/resolved-config.js';
import type { CommandContext } from './command.js';
import { configFor } from './config-for.js';

/** The `--dir` option of the contracts commands. */
export const contractsDirOption = { dir: { type: 'string' } } as const;
export const contractsDirHelp = {
  dir: "the contracts folder (default: the config's contracts.dir, else ./contracts)",
};

/**
 * The contracts folder a command works on: `--dir`, else the config's `contracts.dir` when there
 * is a config, else `./contracts`. Commands that read only contracts need no config and no store,
 * so they run in any CI job that has the repository.
 */
export async function contractsDirFor(ctx: CommandContext): Promise<string> {
  if (typeof ctx.options.dir === 'string') return resolve(ctx.cwd, ctx.options.dir);
  const config = await configIfPresent(ctx);
  return config ? config.contracts.dir : resolve(ctx.cwd, 'contracts');
}

/** The config when `--config` names one or the working directory has one; undefined otherwise. */
export async function configIfPresent(ctx: CommandContext): Promise<ResolvedConfig | undefined> {
  const hasConfig =
    typeof ctx.options.config === 'string' || configFileNames.some((n) => existsSync(join(ctx.cwd, n)));
  return hasConfig ? configFor(ctx) : undefined;
}
