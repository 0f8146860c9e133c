import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode, StewardError } from '../../errors/steward-error.js';
import type { Command } from '../command.js';

const storeBlocks = {
  sqlite: `    main: { kind: 'sqlite', file: env('STEWARD_SQLITE_FILE', 'steward.sqlite') },`,
  mongodb: `    main: {
      kind: 'mongodb',
      uri: env('STEWARD_MONGODB_URI', 'mongodb://127.0.0.1:27017'),
      database: env('STEWARD_MONGODB_DATABASE', 'app'),
    },`,
  dynamodb: `    main: {
      kind: 'dynamodb',
      region: env('AWS_REGION', 'us-east-1'),
      // endpoint: 'http://127.0.0.1:8000', // DynamoDB Local
    },`,
} as const;

/** The starter config `steward init` writes. */
export function starterConfig(kind: keyof typeof storeBlocks): string {
  const key = kind === 'mongodb' ? '_id' : 'id';
  return `import { defineConfig, env } from 'steward';

// steward's config: the stores it talks to and the collections it governs.
// Connection settings come from environment variables (with a default after the comma).
export default defineConfig({
  stores: {
${storeBlocks[kind]}
  },
  collections: {
    // accounts: { key: '${key}' },
    // profiles: { key: '${key}', versionField: 'schemaVersion' },
  },
  // steward keeps its ledger (audit log, leases, checkpoints) in this store.
  ledger: { store: 'main' },
});
`;
}

/** `steward init`: writes a starter steward.config.ts. */
export const initCommand: Command = {
  path: ['init'],
  summary: 'write a starter steward.config.ts in the working directory',
  usage: '[--store sqlite|mongodb|dynamodb] [--force]',
  options: { store: { type: 'string', default: 'sqlite' }, force: { type: 'boolean' } },
  optionHelp: {
    store: 'the kind of store to start with (default sqlite)',
    force: 'overwrite an existing config',
  },
  async run(ctx) {
    const kind = ctx.options.store as string;
    if (!(kind in storeBlocks)) {
      throw new StewardError('usage', `--store must be sqlite, mongodb or dynamodb (got "${kind}")`);
    }
    const file = join(ctx.cwd, 'steward.config.ts');
    if (existsSync(file) && !ctx.options.force) {
      throw new StewardError('usage', `${file} already exists; pass --force to overwrite it`);
    }
    writeFileSync(file, starterConfig(kind as keyof typeof storeBlocks));
    ctx.output.result({ written: file, store: kind });
    ctx.output.line(`wrote ${file}`);
    ctx.output.line('next: edit the collections, then run "steward doctor" to check the store answers');
    return ExitCode.ok;
  },
};
