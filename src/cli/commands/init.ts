import { createInterface } from 'node:readline/promises';
import { ExitCode } from '../../errors/steward-error.js';
import { initProject } from '../../workspace/init/init-project.js';
import type { Command, CommandContext } from '../command.js';

/** `steward init`: writes a starter steward.config.ts and the contracts/ and migrations/ folders. */
export const initCommand: Command = {
  path: ['init'],
  summary: 'write a starter steward.config.ts and the contracts/ and migrations/ folders',
  usage: '[--store sqlite|mongodb|dynamodb]... [--force]',
  description:
    'Writes steward.config.ts in the working directory for one or more stores (--store mongodb\n' +
    '--store dynamodb; the ledger goes in the first), with approval policies per environment\n' +
    '(development needs none), and creates contracts/ and migrations/. Without --store it asks on a\n' +
    'terminal, and starts with sqlite otherwise. Never overwrites a config without --force.',
  options: { store: { type: 'string', multiple: true }, force: { type: 'boolean' } },
  optionHelp: {
    store: 'a kind of store to start with; repeat for several (default: asked on a terminal, else sqlite)',
    force: 'overwrite an existing config',
  },
  async run(ctx) {
    const given = ctx.options.store;
    const stores = Array.isArray(given) ? given.map(String) : await askStores(ctx);
    const result = initProject({ dir: ctx.cwd, stores, force: ctx.options.force === true });
    ctx.output.result(result);
    ctx.output.line(`wrote ${result.written} (${result.stores.join(', ')})`);
    for (const folder of result.folders) ctx.output.line(`folder ${folder}`);
    ctx.output.line('next: edit the collections, then run "steward doctor" to check the stores answer');
    return ExitCode.ok;
  },
};

/** On a terminal, asks which stores; piped or with --json, none (initProject starts with sqlite). */
async function askStores(ctx: CommandContext): Promise<string[]> {
  if (!process.stdin.isTTY || !process.stdout.isTTY || ctx.options.json === true) return [];
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await rl.question(
      'Stores (sqlite, mongodb, dynamodb; several separated by spaces) [sqlite]: ',
    );
    return answer.split(/[\s,]+/).filter((s) => s !== '');
  } finally {
    rl.close();
  }
}
