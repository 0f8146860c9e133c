import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ExitCode, StewardError } from '../errors/steward-error.js';
import { type Command, globalOptionHelp, globalOptions, type OptionValues } from './command.js';
import { commands } from './commands/index.js';
import { closest } from './did-you-mean.js';
import { Output } from './output.js';

/**
 * Runs the CLI for an argument list and returns the exit code. The one place where errors
 * become exit codes: a StewardError is a user-facing message (2 usage or config, 3 store
 * unreachable, 1 findings); anything else is a bug and is printed with its stack.
 */
export async function runCli(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  io: CliIo = {},
): Promise<number> {
  const json = argv.includes('--json');
  const output = new Output(json, io.stdout, io.stderr);
  try {
    if (argv[0] === 'help') return help(argv.slice(1), output);
    const match = findCommand(argv);
    if (!match) return topLevel(argv, output);
    const { command, rest } = match;
    const parsed = parseOptions(command, rest);
    if (parsed.values.help) {
      output.line(commandHelp(command));
      return ExitCode.ok;
    }
    return await command.run({
      options: parsed.values,
      positionals: parsed.positionals,
      output,
      cwd: io.cwd ?? process.cwd(),
      env,
    });
  } catch (error) {
    output.endProgress();
    return report(error, output);
  }
}

/** Where a run reads and writes, when not the process's own (the demo runs commands in-process). */
export interface CliIo {
  readonly cwd?: string;
  readonly stdout?: NodeJS.WritableStream;
  readonly stderr?: NodeJS.WritableStream;
}

function findCommand(argv: readonly string[]): { command: Command; rest: readonly string[] } | undefined {
  const words = argv.filter((a) => !a.startsWith('-'));
  const candidates = commands
    .filter((c) => c.path.every((word, i) => words[i] === word))
    .sort((a, b) => b.path.length - a.path.length);
  const command = candidates[0];
  if (!command) return undefined;
  const rest = [...argv];
  for (const word of command.path) rest.splice(rest.indexOf(word), 1);
  return { command, rest };
}

/**
 * Options parsed with node:util, whose errors are Node's words ("Unknown option '--x'. To
 * specify a positional argument..."); they are said again in steward's, with a did-you-mean.
 */
function parseOptions(
  command: Command,
  rest: readonly string[],
): { values: OptionValues; positionals: string[] } {
  const options = { ...globalOptions, ...command.options };
  try {
    return parseArgs({ args: [...rest], options, allowPositionals: true, strict: true });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (!code?.startsWith('ERR_PARSE_ARGS')) throw error;
    const name = `steward ${command.path.join(' ')}`;
    const flag = /'(?:-\w, )?(--?[\w-]+)/.exec((error as Error).message)?.[1] ?? '';
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const known = Object.keys(options).map((o) => `--${o}`);
      const hint = closest(flag, known);
      throw new StewardError(
        'usage',
        `unknown option ${flag} for "${name}"${hint ? `; did you mean ${hint}?` : ''} (run "${name} --help" for its options)`,
      );
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      const takesValue = options[flag.replace(/^--?/, '')]?.type === 'string';
      throw new StewardError(
        'usage',
        takesValue ? `option ${flag} needs a value` : `option ${flag} takes no value`,
      );
    }
    throw new StewardError('usage', `${(error as Error).message.split('.')[0]} (run "${name} --help")`);
  }
}

/** `steward help [command...]`: the same text as `--help` on what it names. */
function help(words: readonly string[], output: Output): number {
  if (words.length === 0) {
    output.line(overview());
    return ExitCode.ok;
  }
  const match = findCommand(words);
  if (match && match.command.path.length === words.length) {
    output.line(commandHelp(match.command));
    return ExitCode.ok;
  }
  return topLevel([...words, '--help'], output);
}

function topLevel(argv: readonly string[], output: Output): number {
  const words = argv.filter((a) => !a.startsWith('-'));
  if (words.length === 0) {
    if (argv.includes('--version') || argv.includes('-V')) {
      output.line(`steward ${version()}`);
      return ExitCode.ok;
    }
    output.line(overview());
    return argv.includes('--help') || argv.includes('-h') ? ExitCode.ok : ExitCode.usage;
  }
  const group = commands.filter((c) => c.path[0] === words[0]);
  if (group.length > 0 && words.length === 1) {
    output.line(`steward ${words[0]}: choose a command\n\n${summaryLines(group).join('\n')}`);
    return argv.includes('--help') || argv.includes('-h') ? ExitCode.ok : ExitCode.usage;
  }
  throw new StewardError(
    'usage',
    `unknown command "${words.join(' ')}"${suggestion(words)}; run "steward --help" for the list`,
  );
}

/** " (did you mean ...?)" for an unknown command: a close first word, or a close word in its group. */
function suggestion(words: readonly string[]): string {
  const [first = '', second] = words;
  const group = commands.filter((c) => c.path[0] === first);
  if (group.length > 0 && second !== undefined) {
    const hint = closest(
      second,
      group.map((c) => c.path[1] ?? ''),
    );
    return hint ? ` (did you mean "steward ${first} ${hint}"?)` : '';
  }
  const hint = closest(first, [...new Set(commands.map((c) => c.path[0] ?? ''))]);
  return hint ? ` (did you mean "steward ${hint}"?)` : '';
}

/** This steward's version, from its package.json (two folders up from src/cli or dist/cli). */
function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

function report(error: unknown, output: Output): number {
  if (error instanceof StewardError) {
    output.error(error.message);
    if (output.json) output.result({ error: { code: error.code, message: error.message, ...error.details } });
    return error.exitCode;
  }
  output.error(`internal error, please report it: ${(error as Error)?.stack ?? String(error)}`);
  return ExitCode.internal;
}

/** One line per command, the descriptions in a column set apart from the longest command. */
function summaryLines(list: readonly Command[]): string[] {
  const width = Math.max(...list.map((c) => c.path.join(' ').length)) + 3;
  return list.map((c) => `  ${c.path.join(' ').padEnd(width)}${c.summary}`);
}

function overview(): string {
  return [
    'steward: keeps denormalized NoSQL data honest',
    '',
    'Usage: steward <command> [options]',
    '',
    'Commands:',
    ...summaryLines(commands),
    '',
    'Every command takes --help, --json and --config <file>; "steward help <command>" shows one',
    "command's help; steward --version prints the version.",
    'Exit codes: 0 ok, 1 findings or a failed gate, 2 usage or config error, 3 store unreachable.',
  ].join('\n');
}

/** The help text of one command, with its options. */
export function commandHelp(command: Command): string {
  const options = { ...command.options, ...globalOptions };
  const help = { ...globalOptionHelp, ...command.optionHelp };
  const lines = Object.entries(options).map(([name, spec]) => {
    const flag = `${spec.short ? `-${spec.short}, ` : '    '}--${name}${spec.type === 'string' ? ' <value>' : ''}`;
    return `  ${flag.padEnd(26)} ${help[name] ?? ''}`;
  });
  return [
    `Usage: steward ${command.path.join(' ')}${command.usage ? ` ${command.usage}` : ''}`,
    '',
    command.summary,
    ...(command.description ? ['', command.description] : []),
    '',
    'Options:',
    ...lines,
  ].join('\n');
}
