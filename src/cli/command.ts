import type { ParseArgsConfig } from 'node:util';
import type { Output } from './output.js';

/** Option definitions in node:util parseArgs form. */
export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** Parsed values of a command's options. */
export type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** What a command gets to work with. */
export interface CommandContext {
  readonly options: OptionValues;
  readonly positionals: readonly string[];
  readonly output: Output;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
}

/**
 * One CLI command: a thin layer that parses options, calls a capability and renders its result.
 * `run` returns an exit code (0 ok, 1 findings); errors are StewardErrors turned into codes in
 * one place, `run-cli.ts`.
 */
export interface Command {
  /** Words that select it, such as `['audit', 'verify']`. */
  readonly path: readonly string[];
  readonly summary: string;
  /** Usage line after `steward <path>`, such as `[--docs N] [--seed S]`. */
  readonly usage?: string;
  /** Longer help: what it does, what it writes, examples. */
  readonly description?: string;
  readonly options?: OptionSpec;
  /** Help text for each option. */
  readonly optionHelp?: Readonly<Record<string, string>>;
  run(context: CommandContext): Promise<number>;
}

/** Options every command accepts. */
export const globalOptions: OptionSpec = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  config: { type: 'string', short: 'c' },
  env: { type: 'string' },
};

export const globalOptionHelp: Readonly<Record<string, string>> = {
  help: 'show this help',
  json: 'print machine-readable JSON on stdout',
  config: 'path of the config file (default: steward.config.ts in the working directory)',
  env: "the environment whose approval policies hold (default: STEWARD_ENV, else the config's own)",
};
