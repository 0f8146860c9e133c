import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateApproverKeys } from '../src/approvals/approval-keys.js';
import { type LoadedContracts, loadContracts } from '../src/contracts/load-contracts.js';
import type { JsonObject } from '../src/core/json.js';
import { openLedger } from '../src/ledger/ledger.js';
import type { ApplyInput } from '../src/migrations/apply/apply-migrations.js';
import { planHashOf } from '../src/migrations/apply/apply-plan.js';
import type { MigrationTarget } from '../src/migrations/apply/migration-target.js';
import { runDryRun } from '../src/migrations/dry-run/run-dry-run.js';
import type { Migration } from '../src/migrations/migration.js';
import type { DryRunReport } from '../src/migrations/report/dry-run-report.js';
import type { RollbackInput } from '../src/migrations/rollback/rollback-migrations.js';
import type { CollectionSpec, Store } from '../src/stores/store.js';
import { approveBenchPlan } from './migration-workload.js';

/**
 * steward's side of the migrate-mongo side-by-side bench (issue 17): the same rename of `status`
 * to `state` with `active` derived, over the same user documents, through a dry run, an approval,
 * apply and rollback. The first `down` is the one migrate-mongo's users write, and the dry run's
 * round-trip check must report the documents it loses; the plan then applied drops that `down`
 * (the fix the dry run leads to: rollback restores the before-images), and is approved as the
 * other migration benches approve theirs.
 */
const up = (doc: JsonObject): JsonObject => {
  const { status, ...rest } = doc;
  // As the cursor migration's `$set` of `doc.status`: the driver writes a missing value as null.
  return { ...rest, state: status ?? null, active: status === 'active' };
};

const lossyDown = ({ state, active: _active, ...rest }: JsonObject): JsonObject => ({
  ...rest,
  status: state ?? null,
});

const base = {
  id: 'sbs-001-users-state',
  description: 'users: status renamed state, active derived',
  collections: ['users'],
  fromVersion: 1,
  targetVersion: 2,
  file: 'sbs-001-users-state.migration.ts',
  up,
};

/** The migration as first written, with migrate-mongo's `down`. */
export const lossyMigration: Migration = { ...base, checksum: 'sbs-001-lossy-down', down: lossyDown };
/** The migration applied: no `down`, so rollback restores the before-images. */
export const appliedMigration: Migration = { ...base, checksum: 'sbs-001' };

const contract = {
  collection: 'users',
  owner: 'accounts-service',
  versions: [
    { version: 1, schema: { type: 'object' } },
    { version: 2, schema: { type: 'object', required: ['state', 'active'] } },
  ],
};

const prefix = 'bench_sbs_';

/** steward's migration of one users collection, approved. */
export interface StewardSide {
  /** Runs the dry run of the plan with migrate-mongo's `down` (nothing recorded). */
  dryRunLossy(): Promise<DryRunReport>;
  /** Records a passed dry run of the applied plan and an approval of it (not measured). */
  approve(): Promise<void>;
  applyInput(): ApplyInput;
  rollbackInput(): RollbackInput & { holder: string };
  cleanup(): Promise<void>;
}

/** Sets up steward over `name` (already loaded, keyed by `_id`): ledger, target, contracts. */
export async function stewardSide(store: Store, name: string, batchSize: number): Promise<StewardSide> {
  const spec: CollectionSpec = { name, keyField: store.capabilities.defaultKeyField };
  await store.ensureCollection(spec);
  await (await openLedger(store, { actor: 'bench', namespacePrefix: prefix })).drop();
  const ledger = await openLedger(store, { actor: 'bench', namespacePrefix: prefix });
  const target: MigrationTarget = {
    storeName: 'bench',
    store,
    collection: (collection) => ({
      name: collection,
      spec,
      versionField: 'schemaVersion',
      handle: store.collection(spec),
    }),
  };
  const contracts = await usersContracts();
  const options = { canaryPercent: 5, batchSize };
  const keys = generateApproverKeys();
  const common = {
    ledger,
    target,
    migrations: [appliedMigration],
    contracts,
    actor: 'bench',
    holder: `bench-${process.pid}`,
  };
  return {
    dryRunLossy: () =>
      runDryRun({
        planHash: planHashOf([lossyMigration], target, options),
        canaryPercent: options.canaryPercent,
        migrations: [lossyMigration],
        targets: new Map([
          ['users', { name: 'users', storeName: 'bench', store, spec, versionField: 'schemaVersion' }],
        ]),
        otherCollection: (other) => store.collection({ name: other, keyField: spec.keyField }),
        contracts,
        sandboxPrefix: prefix,
        batchSize,
      }),
    approve: () => approveBenchPlan(ledger, planHashOf([appliedMigration], target, options), keys),
    applyInput: () => ({
      ...common,
      options,
      settings: { maxErrorRate: 0 },
      approvers: new Map([
        ['bench', { name: 'bench', publicKeyPem: keys.publicKeyPem, roles: ['dba'], owns: [] }],
      ]),
      approvalPolicies: new Map(),
    }),
    rollbackInput: () => ({ ...common, batchSize }),
    cleanup: async () => {
      await ledger.drop();
      await store.dropCollection(spec);
    },
  };
}

async function usersContracts(): Promise<LoadedContracts> {
  const dir = mkdtempSync(join(tmpdir(), 'steward-bench-sbs-'));
  try {
    writeFileSync(join(dir, 'users.contract.json'), JSON.stringify(contract));
    return await loadContracts(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
