import { formatCount } from '../../core/format-count.js';
import { ExitCode } from '../../errors/steward-error.js';
import { contractsList } from '../../workspace/contracts/contracts-files.js';
import type { Command } from '../command.js';
import { configIfPresent, contractsDirFor, contractsDirHelp, contractsDirOption } from '../contracts-dir.js';

/** `steward contracts list`: one line per contract, after loading and checking them all. */
export const contractsListCommand: Command = {
  path: ['contracts', 'list'],
  summary: 'list the data contracts: owner, versions, compatibility, consumers',
  usage: '[--dir contracts]',
  description:
    'Loads every contract in the folder and checks it (schemas compile, $refs resolve, consumers\n' +
    'name declared fields). Any problem is reported with its file and path, exit 2.',
  options: contractsDirOption,
  optionHelp: contractsDirHelp,
  async run(ctx) {
    // The config's references are held to its own contracts folder, not to another --dir names.
    const config = typeof ctx.options.dir === 'string' ? undefined : await configIfPresent(ctx);
    const result = await contractsList({ dir: await contractsDirFor(ctx), ...(config ? { config } : {}) });
    const { dir, contracts: rows } = result;
    ctx.output.result(result);
    ctx.output.line(`${formatCount(rows.length)} contract(s) in ${dir}`);
    for (const r of rows) {
      const consumers = r.consumers.length > 0 ? r.consumers.join(', ') : 'none';
      ctx.output.line(
        `  ${r.collection.padEnd(14)} v${r.newest}  owner ${r.owner}  ${r.mode}/${r.semantics}  consumers: ${consumers}`,
      );
    }
    return ExitCode.ok;
  },
};
