/** The store kinds `steward init` can start a config with. */
export const starterKinds = ['sqlite', 'mongodb', 'dynamodb'] as const;
export type StarterKind = (typeof starterKinds)[number];

const storeBlocks: Record<StarterKind, (name: string) => string> = {
  sqlite: (name) => `    ${name}: { kind: 'sqlite', file: env('STEWARD_SQLITE_FILE', 'steward.sqlite') },`,
  mongodb: (name) => `    ${name}: {
      kind: 'mongodb',
      uri: env('STEWARD_MONGODB_URI', 'mongodb://127.0.0.1:27017'),
      database: env('STEWARD_MONGODB_DATABASE', 'app'),
    },`,
  dynamodb: (name) => `    ${name}: {
      kind: 'dynamodb',
      region: env('AWS_REGION', 'us-east-1'),
      // endpoint: 'http://127.0.0.1:8000', // DynamoDB Local (or set AWS_ENDPOINT_URL_DYNAMODB)
    },`,
};

/**
 * The store names of a starter config: `main` for one store (what one-store projects and the docs
 * call it), the kind's own name for each of several. The ledger goes in the first.
 */
export function starterStoreNames(kinds: readonly StarterKind[]): string[] {
  return kinds.length === 1 ? ['main'] : [...kinds];
}

/**
 * The steward.config.ts `steward init` writes for these stores: connection settings from
 * environment variables (with defaults), commented collection examples, the ledger in the first
 * store, and approval policies per environment: none needed in `development`, the top-level ones
 * (one approval) everywhere else, including when no environment is chosen.
 */
export function starterConfig(kinds: readonly StarterKind[]): string {
  const names = starterStoreNames(kinds);
  const key = kinds[0] === 'mongodb' ? '_id' : 'id';
  const stores = kinds.map((kind, i) => storeBlocks[kind](names[i]!)).join('\n');
  const storeHint = names.length > 1 ? `, store: '${names[0]}'` : '';
  return `import { defineConfig, env } from 'steward';

// steward's config: the stores it talks to and the collections it governs.
// Connection settings come from environment variables (with a default after the comma).
export default defineConfig({
  stores: {
${stores}
  },
  collections: {
    // accounts: { key: '${key}'${storeHint} },
    // profiles: { key: '${key}', versionField: 'schemaVersion'${storeHint} },
  },
  // steward keeps its ledger (audit log, leases, checkpoints) in this store.
  ledger: { store: '${names[0]}' },
  // Who may sign approvals ("steward approvals keygen --out keys/alice" makes a key pair).
  // approvers: { alice: { publicKey: 'keys/alice.pub.pem', roles: ['owner'] } },
  approvalPolicies: { migrations: { required: 1 } },
  // Chosen by --env or STEWARD_ENV; with neither, the policies above hold.
  environments: {
    development: { approvalPolicies: { migrations: { required: 0 } } },
    production: {},
  },
});
`;
}
