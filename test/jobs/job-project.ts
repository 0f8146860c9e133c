/**
 * A project for job tests: the case-management example on a test store (seeded, so two projects
 * with the same docs hold byte-identical documents), its v2 contracts and migration, and an
 * approver key, with the config resolved in code as a library user resolves it.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../../src/config/resolve-config.js';
import type { ResolvedConfig } from '../../src/config/resolved-config.js';
import { hashJson } from '../../src/core/hash.js';
import type { JsonObject } from '../../src/core/json.js';
import { caseManagementModel, exampleCollectionNames } from '../../src/example/case-management-model.js';
import { writeExampleContracts } from '../../src/example/example-contracts.js';
import { exampleDerived } from '../../src/example/example-derived.js';
import { exampleContractsV2, writeExampleMigration } from '../../src/example/example-migrations.js';
import { exampleSpec } from '../../src/example/generate-example.js';
import { openStore } from '../../src/stores/open-store.js';
import { scanDocuments } from '../../src/stores/scan-pages.js';
import type { StoreKind } from '../../src/stores/store.js';
import type { StoreConfig } from '../../src/stores/store-config.js';
import { approvalsKeygen } from '../../src/workspace/approvals.js';
import { exampleGenerate } from '../../src/workspace/example-generate.js';
import { migrateApprove } from '../../src/workspace/migrations/migrate-approve.js';
import { migrateDryRun } from '../../src/workspace/migrations/migrate-dry-run.js';
import { migratePlan } from '../../src/workspace/migrations/migrate-plan.js';
import { dropExample } from '../support/drop-example.js';
import { testStoreConfig } from '../support/test-stores.js';

export interface JobProject {
  readonly dir: string;
  readonly store: StoreConfig;
  /** The config as a JSON object (also written as steward.config.json by callers that need a file). */
  readonly raw: Record<string, unknown>;
  readonly config: ResolvedConfig;
  readonly faults: { orphans: number };
  /** Checksums of the example's collections now. */
  checksums(): Promise<Record<string, { count: number; hash: string }>>;
  /** Dry-runs the current plan and signs it as alice (the one approval the policy needs). */
  approvePlan(): Promise<string>;
  cleanup(): Promise<void>;
}

export async function jobProject(
  kind: StoreKind,
  docs: number,
  options: { batchSize?: number } = {},
): Promise<JobProject> {
  const dir = mkdtempSync(join(tmpdir(), 'steward-jobs-'));
  const store = testStoreConfig(kind);
  writeExampleContracts(join(dir, 'contracts'), exampleContractsV2());
  writeExampleMigration(join(dir, 'migrations'));
  mkdirSync(join(dir, 'keys'));
  approvalsKeygen({ out: join(dir, 'keys/alice') });
  const raw = {
    stores: { main: store },
    collections: Object.fromEntries(exampleCollectionNames.map((n) => [n, { key: 'id' }])),
    references: Object.fromEntries(
      caseManagementModel.references.map((r) => [`${r.collection}.${r.field}`, { target: r.target }]),
    ),
    derived: exampleDerived(),
    contracts: { dir: 'contracts' },
    migrations: { dir: 'migrations', canaryPercent: 10, batchSize: options.batchSize ?? 100 },
    approvers: { alice: { publicKey: 'keys/alice.pub.pem', roles: ['dba'] } },
  };
  const config = resolveConfig(raw, { baseDir: dir });
  const { manifest } = await exampleGenerate(config, { docs, seed: 11, faults: { orphans: 4 } });
  const orphans = manifest.faults.filter((f) => f.kind === 'orphan').length;
  return {
    dir,
    store,
    raw,
    config,
    faults: { orphans },
    checksums: () => checksums(store),
    async approvePlan() {
      const plan = await migratePlan(config);
      await migrateDryRun(config, {}, { actor: 'test' });
      await migrateApprove(config, {
        planHash: plan.hash,
        signer: {
          keyFile: join(dir, 'keys/alice.key.pem'),
          approver: 'alice',
          role: 'dba',
          expiresInMs: 3_600_000,
        },
      });
      return plan.hash;
    },
    cleanup: () => dropExample(store),
  };
}

/**
 * Per collection: the count and a hash of the documents by their `id`, without MongoDB's own
 * `_id` (an ObjectId each insert makes up, so two projects of the same seed differ only there).
 */
async function checksums(config: StoreConfig): Promise<Record<string, { count: number; hash: string }>> {
  const store = await openStore(config);
  try {
    const out: Record<string, { count: number; hash: string }> = {};
    for (const name of exampleCollectionNames) {
      const docs: JsonObject[] = [];
      for await (const { _id, ...doc } of scanDocuments(store.collection(exampleSpec(name)), { limit: 1000 }))
        docs.push(doc);
      docs.sort((a, b) => String(a.id).localeCompare(String(b.id)));
      out[name] = { count: docs.length, hash: hashJson(docs) };
    }
    return out;
  } finally {
    await store.close();
  }
}
