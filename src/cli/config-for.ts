import { loadConfig } from '../config/load-config.js';
import type { ResolvedConfig } from '../config/resolved-config.js';
import type { CommandContext } from './command.js';

/** Loads the config named by --config, or found in the working directory. */
export function configFor(ctx: CommandContext): Promise<ResolvedConfig> {
  const path = ctx.options.config;
  return loadConfig({ cwd: ctx.cwd, env: ctx.env, ...(typeof path === 'string' ? { path } : {}) });
}
