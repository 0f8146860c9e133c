import { loadConfig } from '../config/load-config.js';
import type { ResolvedConfig } from '../config/resolved-config.js';
import type { CommandContext } from './command.js';

/**
 * Loads the config named by --config, or found in the working directory, for the environment
 * named by --env (which wins over STEWARD_ENV).
 */
export function configFor(ctx: CommandContext): Promise<ResolvedConfig> {
  const path = ctx.options.config;
  const environment = ctx.options.env;
  const env = typeof environment === 'string' ? { ...ctx.env, STEWARD_ENV: environment } : ctx.env;
  return loadConfig({ cwd: ctx.cwd, env, ...(typeof path === 'string' ? { path } : {}) });
}
