import { join, resolve } from 'node:path';
import { formatCount } from '../../core/format-count.js';
import { ExitCode } from '../../errors/steward-error.js';
import { contractsExport } from '../../workspace/contracts/contracts-files.js';
import { ensureOutDir, writeOutFile } from '../../workspace/out-file.js';
import type { Command } from '../command.js';
import { contractsDirFor, contractsDirHelp, contractsDirOption } from '../contracts-dir.js';

/**
 * `steward contracts export`: the canonical JSON of every contract, whatever it was written in,
 * for services in other languages and for schema registries.
 */
export const contractsExportCommand: Command = {
  path: ['contracts', 'export'],
  summary: 'write every contract as canonical JSON (schemas inline), for other languages',
  usage: '[--dir contracts] [--out folder]',
  description:
    'Contracts written in TypeScript, or with schemas in separate files, become one JSON file per\n' +
    'collection, <collection>.contract.json, with every default spelled out. Without --out, they are\n' +
    'printed on stdout as one JSON array.',
  options: { ...contractsDirOption, out: { type: 'string' } },
  optionHelp: { ...contractsDirHelp, out: 'write one <collection>.contract.json per contract here' },
  async run(ctx) {
    const definitions = await contractsExport({ dir: await contractsDirFor(ctx) });
    if (typeof ctx.options.out !== 'string') {
      await ctx.output.jsonLine(definitions);
      return ExitCode.ok;
    }
    const out = resolve(ctx.cwd, ctx.options.out);
    ensureOutDir(out);
    const written = definitions.map((d) => {
      const file = join(out, `${d.collection}.contract.json`);
      writeOutFile(file, `${JSON.stringify(d, null, 2)}\n`);
      return file;
    });
    ctx.output.result({ written });
    ctx.output.line(`wrote ${formatCount(written.length)} contract(s) to ${out}`);
    return ExitCode.ok;
  },
};
