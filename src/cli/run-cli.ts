import { parseArgs } from 'node:util';
import { ExitCode, StewardError } from '../errors/steward-error.js';
import { type Command, globalOptionHelp, globalOptions } from './command.js';
import { commands } from './commands/index.js';
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
    const match = findCommand(argv);
    if (!match) return topLevel(argv, output);
    const { command, rest } = match;
    const options = { ...globalOptions, ...command.options };
    const parsed = parseArgs({ args: [...rest], options, allowPositionals: true, strict: true });
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

function topLevel(argv: readonly string[], output: Output): number {
  const words = argv.filter((a) => !a.startsWith('-'));
  if (words.length === 0) {
    output.line(overview());
    return argv.includes('--help') || argv.includes('-h') ? ExitCode.ok : ExitCode.usage;
  }
  const group = commands.filter((c) => c.path[0] === words[0]);
  if (group.length > 0 && words.length === 1) {
    output.line(`steward ${words[0]}: choose a command\n\n${group.map(summaryLine).join('\n')}`);
    return argv.includes('--help') || argv.includes('-h') ? ExitCode.ok : ExitCode.usage;
  }
  throw new StewardError('usage', `unknown command "${words.join(' ')}"; run "steward --help" for the list`);
}

function report(error: unknown, output: Output): number {
  if (error instanceof StewardError) {
    output.error(error.message);
    if (output.json) output.result({ error: { code: error.code, message: error.message, ...error.details } });
    return error.exitCode;
  }
  if (error instanceof TypeError && (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    output.error(`${error.message}; add --help to see the options`);
    return ExitCode.usage;
  }
  output.error(`internal error, please report it: ${(error as Error)?.stack ?? String(error)}`);
  return ExitCode.internal;
}

const summaryLine = (c: Command) => `  ${c.path.join(' ').padEnd(22)} ${c.summary}`;

function overview(): string {
  return [
    'steward: keeps denormalized NoSQL data honest',
    '',
    'Usage: steward <command> [options]',
    '',
    'Commands:',
    ...commands.map(summaryLine),
    '',
    'Every command takes --help, --json and --config <file>.',
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
