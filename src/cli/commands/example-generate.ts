import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { formatCount } from '../../core/format-count.js';
import { ExitCode } from '../../errors/steward-error.js';
import { writeExampleContracts } from '../../example/example-contracts.js';
import { type ExampleProgress, exampleGenerate } from '../../workspace/example-generate.js';
import type { Command } from '../command.js';
import { configFor } from '../config-for.js';
import { intOption } from '../int-option.js';
import { runOptionsFor } from '../run-options-for.js';

/** `steward example generate`: builds the case-management example in any configured store. */
export const exampleGenerateCommand: Command = {
  path: ['example', 'generate'],
  summary: 'build the case-management example in a configured store, with known faults',
  usage:
    '--store <name> [--docs N] [--seed S] [--orphans N] [--drift N] [--bad-shape N] [--prefix P] [--force] [--manifest file] [--contracts dir]',
  description:
    'The same --docs and --seed give the same documents on every store. The manifest lists every\n' +
    'injected fault (collection, key, field, expected and actual), so a check knows the right answer.\n' +
    "Refused (exit 2, nothing written) when the example's collections already hold documents, which\n" +
    'may be real data: use --prefix for a fresh set of collections, or --force to replace the\n' +
    'documents with the same keys (others are left alone; no before-images are kept).',
  options: {
    store: { type: 'string' },
    docs: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '42' },
    orphans: { type: 'string', default: '0' },
    drift: { type: 'string', default: '0' },
    'bad-shape': { type: 'string', default: '0' },
    prefix: { type: 'string', default: '' },
    manifest: { type: 'string' },
    contracts: { type: 'string' },
    force: { type: 'boolean' },
  },
  optionHelp: {
    store: 'the store to build it in (a name from the config; default: the only store)',
    docs: 'approximate number of documents (default 10000)',
    seed: 'seed of the deterministic generator (default 42)',
    orphans: 'references to make point at keys that do not exist',
    drift: 'derived values to make differ from their source',
    'bad-shape': 'documents to make break their declared shape',
    prefix: 'prefix for the collection names, so several examples can share a store',
    manifest: 'write the manifest of injected faults to this JSON file',
    contracts: "also write the example's data contracts (one JSON file per collection) to this folder",
    force: "write even into collections that already hold documents, replacing those with the example's keys",
  },
  async run(ctx) {
    const config = await configFor(ctx);
    const docs = intOption(ctx, 'docs', 10000, 1);
    const faults = {
      orphans: intOption(ctx, 'orphans', 0),
      drift: intOption(ctx, 'drift', 0),
      badShape: intOption(ctx, 'bad-shape', 0),
    };
    const input = {
      ...(typeof ctx.options.store === 'string' ? { store: ctx.options.store } : {}),
      docs,
      seed: String(ctx.options.seed),
      faults,
      namePrefix: String(ctx.options.prefix),
      force: ctx.options.force === true,
    };
    const onProgress = ({ done, total }: ExampleProgress) => ctx.output.progress('writing', done, total);
    const { store: storeName, manifest } = await exampleGenerate(
      config,
      input,
      runOptionsFor(ctx, { onProgress }),
    );
    if (typeof ctx.options.manifest === 'string') {
      writeFileSync(resolve(ctx.cwd, ctx.options.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
    }
    ctx.output.result(manifest);
    ctx.output.line(`wrote ${formatCount(manifest.total)} documents to store "${storeName}":`);
    for (const [name, count] of Object.entries(manifest.counts))
      ctx.output.line(`  ${name.padEnd(12)} ${formatCount(count)}`);
    ctx.output.line(`injected faults: ${formatCount(manifest.faults.length)}`);
    if (typeof ctx.options.contracts === 'string') {
      const written = writeExampleContracts(resolve(ctx.cwd, ctx.options.contracts));
      ctx.output.line(`wrote ${written.length} contracts to ${ctx.options.contracts}`);
    }
    return ExitCode.ok;
  },
};
