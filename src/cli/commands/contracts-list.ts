import { newestVersion } from '../../contracts/contract.js';
import { ExitCode } from '../../errors/steward-error.js';
import type { Command } from '../command.js';
import { contractsDirHelp, contractsDirOption, contractsFor } from '../contracts-dir.js';

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
    const { dir, contracts } = await contractsFor(ctx);
    const rows = contracts.map((c) => ({
      collection: c.collection,
      owner: c.owner,
      versions: c.versions.map((v) => v.version),
      newest: newestVersion(c).version,
      mode: c.compatibility.mode,
      semantics: c.compatibility.semantics,
      consumers: Object.keys(c.consumers),
      file: c.file,
    }));
    ctx.output.result({ dir, contracts: rows });
    ctx.output.line(`${contracts.length} contract(s) in ${dir}`);
    for (const r of rows) {
      const consumers = r.consumers.length > 0 ? r.consumers.join(', ') : 'none';
      ctx.output.line(
        `  ${r.collection.padEnd(14)} v${r.newest}  owner ${r.owner}  ${r.mode}/${r.semantics}  consumers: ${consumers}`,
      );
    }
    return ExitCode.ok;
  },
};
