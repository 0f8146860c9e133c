import type { ResolvedConfig } from '../config/resolved-config.js';
import { type ParsedFilter, parseFilter, tooDeep } from '../core/filter.js';
import { StewardError } from '../errors/steward-error.js';
import { declaredCollection } from '../workspace/documents.js';
import type { CommandContext } from './command.js';

/**
 * The collection named by the first positional argument, checked to be declared in the config
 * before anything else is parsed, so the mistake a user makes first is the one reported.
 */
export function collectionArg(ctx: CommandContext, config: ResolvedConfig): string {
  const name = ctx.positionals[0];
  if (!name) throw new StewardError('usage', 'name a collection, such as "steward find cases"');
  return declaredCollection(config, name).name;
}

/** The `--where` option as a parsed filter; JSON and filter mistakes are usage errors naming the option. */
export function whereOption(ctx: CommandContext): ParsedFilter {
  const raw = ctx.options.where;
  if (raw === undefined) return [];
  let value: unknown;
  try {
    value = JSON.parse(String(raw));
  } catch (error) {
    // A deep enough text exhausts the parser's stack: that is a filter nested too deeply.
    if (error instanceof RangeError) throw tooDeep('--where');
    throw new StewardError('filter.invalid', `--where is not valid JSON: ${(error as Error).message}`);
  }
  return parseFilter(value, '--where');
}

/** Parses `--segment i/N` (0-based i). */
export function segmentOption(ctx: CommandContext): { index: number; total: number } | undefined {
  const raw = ctx.options.segment;
  if (raw === undefined) return undefined;
  const match = /^(\d+)\/(\d+)$/.exec(String(raw));
  const index = Number(match?.[1]);
  const total = Number(match?.[2]);
  if (!match || total < 1 || index >= total) {
    throw new StewardError(
      'usage',
      `--segment must be i/N with 0 <= i < N, such as 0/4 (got "${String(raw)}")`,
    );
  }
  return { index, total };
}
