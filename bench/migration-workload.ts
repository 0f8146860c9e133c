import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateApproverKeys, parsePrivateKey, signApproval } from '../src/approvals/approval-keys.js';
import { recordApproval } from '../src/approvals/approval-ledger.js';
import { loadContracts } from '../src/contracts/load-contracts.js';
import type { JsonObject } from '../src/core/json.js';
import { StewardError } from '../src/errors/steward-error.js';
import { type Ledger, openLedger } from '../src/ledger/ledger.js';
import type { ApplyInput } from '../src/migrations/apply/apply-migrations.js';
import { planHashOf } from '../src/migrations/apply/apply-plan.js';
import type { MigrationTarget } from '../src/migrations/apply/migration-target.js';
import type { Migration } from '../src/migrations/migration.js';
import { migrationApprovalSubject, migrationsApprovalKind } from '../src/migrations/plan/plan-approvals.js';
import { recordDryRun } from '../src/migrations/report/dry-run-record.js';
import type { DryRunReport } from '../src/migrations/report/dry-run-report.js';
import type { RollbackInput } from '../src/migrations/rollback/rollback-migrations.js';
import type { CollectionSpec, Store } from '../src/stores/store.js';
import type { PhaseResult } from './measure-phase.js';
import type { BenchContext } from './scenario.js';
import { taskBatches } from './task-workloads.js';

/**
 * The migration the apply and rollback benchmarks run over N task documents: v1 -> v2 copies
 * `title` into `summary` and turns `status` into a `done` flag; `down` undoes it. Small per-document
 * work, so the figures measure steward's machinery (reads, before-images, conditional writes,
 * checkpoints), not the migration.
 */
export const taskMigration: Migration = {
  id: 'bench-001-task-summary',
  description: 'tasks: summary and done',
  collections: ['tasks'],
  fromVersion: 1,
  targetVersion: 2,
  file: 'bench-001-task-summary.migration.ts',
  checksum: 'bench-001',
  up: (doc) => ({ ...doc, summary: doc.title ?? null, done: doc.status === 'done' }),
  down: ({ summary: _summary, done: _done, ...rest }) => rest,
};

/** The document up() gives, version included: what the baseline writes. */
export function migrated(doc: JsonObject): JsonObject {
  return { ...taskMigration.up(doc), schemaVersion: 2 };
}

/** The contract of the migrated `tasks` (written to `tasks.contract.json` for apply's check). */
export const contract = {
  collection: 'tasks',
  owner: 'case-service',
  versions: [
    { version: 1, schema: { type: 'object' } },
    { version: 2, schema: { type: 'object', required: ['summary', 'done'] } },
  ],
};

/** What a migration benchmark run holds: the ledger, the target and the inputs, approved. */
export interface MigrationBench {
  readonly ledger: Ledger;
  applyInput(): ApplyInput;
  rollbackInput(): RollbackInput & { holder: string };
  cleanup(): Promise<void>;
}

/**
 * The migrated collection: keyed by the store's own key field (`_id` on MongoDB, where FerretDB
 * finds a document by any other field with a scan), as a user's collection would be.
 */
function migratedSpec(store: Store): CollectionSpec {
  return { name: 'bench_migrate_tasks', keyField: store.capabilities.defaultKeyField };
}

/** The task document keyed by `keyField` (`id` renamed `_id` on MongoDB). */
function keyed(doc: JsonObject, keyField: string): JsonObject {
  if (keyField === 'id') return doc;
  const { id, ...rest } = doc;
  return { [keyField]: id ?? null, ...rest };
}

/**
 * Loads the N task documents through the seam, a batch at a time (not measured). Upserts into the
 * fresh collection, not inserts: the same documents result, and on DynamoDB they go in batch
 * writes of 25 instead of one conditional PutItem each (100k of those took over ten minutes on
 * a loaded machine).
 */
async function loadTasks(context: BenchContext, store: Store, spec: CollectionSpec): Promise<void> {
  await store.dropCollection(spec);
  await store.ensureCollection(spec);
  const collection = store.collection(spec);
  for (const batch of taskBatches(context.options)) {
    const results = await collection.write(
      batch.map((doc) => ({ type: 'replace', doc: keyed(doc, spec.keyField), upsert: true })),
    );
    if (results.some((r) => r.status !== 'ok'))
      throw new StewardError('store.failed', 'loading the tasks failed');
  }
}

/**
 * Loads N task documents through the seam (not measured), opens a ledger beside them, and
 * approves the plan of {@link taskMigration} with a throwaway key, so apply runs as in production:
 * approvals checked, before-images saved, checkpoints written.
 */
export async function migrationBench(context: BenchContext): Promise<MigrationBench> {
  context.log(`loading ${context.options.docs} documents through the seam (not measured)`);
  const store = await context.seam();
  const spec = migratedSpec(store);
  await loadTasks(context, store, spec);
  const ledger = await openLedger(store, { actor: 'bench', namespacePrefix: 'bench_migrate_' });
  await ledger.drop();
  const fresh = await openLedger(store, { actor: 'bench', namespacePrefix: 'bench_migrate_' });
  const target: MigrationTarget = {
    storeName: 'bench',
    store,
    collection: (name) => ({
      name,
      spec,
      versionField: 'schemaVersion',
      handle: store.collection(spec),
    }),
  };
  const dir = mkdtempSync(join(tmpdir(), 'steward-bench-migrate-'));
  writeFileSync(join(dir, 'tasks.contract.json'), JSON.stringify(contract));
  const contracts = await loadContracts(dir);
  rmSync(dir, { recursive: true, force: true });
  const options = { canaryPercent: 5, batchSize: Math.min(context.options.batch, 10_000) };
  const keys = generateApproverKeys();
  const approvers = new Map([
    ['bench', { name: 'bench', publicKeyPem: keys.publicKeyPem, roles: ['dba'], owns: [] }],
  ]);
  const planHash = planHashOf([taskMigration], target, options);
  await approveBenchPlan(fresh, planHash, keys);
  const common = {
    ledger: fresh,
    target,
    migrations: [taskMigration],
    contracts,
    actor: 'bench',
    holder: `bench-${process.pid}`,
  };
  return {
    ledger: fresh,
    applyInput: () => ({
      ...common,
      options,
      settings: { maxErrorRate: 0 },
      approvers,
      // Rounds after the first apply again after a rollback: the one approval counts again.
      approvalPolicies: new Map([[migrationsApprovalKind, { required: 1, reuseAfterRollback: true }]]),
    }),
    rollbackInput: () => ({ ...common, batchSize: options.batchSize }),
    cleanup: async () => {
      await fresh.drop();
      await store.dropCollection(spec);
    },
  };
}

/**
 * The baseline: the driver's bulk write of the same documents (as `transform` makes them) into its
 * own table, measured as `label`. The documents are generated outside what is measured
 * (`Phase.prepare`): steward's side reads them from the store, so the generator's CPU (about a
 * third of this phase's before issue 17's seventh pass) is no work of the job. `transform` is
 * measured: steward's side runs the same `up`.
 */
export async function writeTransformedBaseline(
  context: BenchContext,
  label: string,
  transform: (doc: JsonObject) => JsonObject,
): Promise<PhaseResult> {
  const baseline = await context.baseline();
  await baseline.reset();
  return context.measure(label, async (phase) => {
    let written = 0;
    const batches = taskBatches(context.options);
    for (;;) {
      const next = phase.prepare(() => batches.next());
      if (next.done) break;
      const docs = next.value.map(transform);
      await phase.time(() => baseline.write(docs));
      written += docs.length;
      phase.poll();
    }
    return written;
  });
}

/** Fails the run when a stage did not process every document: its timing would mean nothing. */
export function expectCount(label: string, done: number, expected: number): number {
  if (done !== expected)
    throw new StewardError('store.failed', `${label} processed ${done} documents, expected ${expected}`);
  return done;
}

/** The migration as one SQL statement over the baseline table, up and down (SQLite JSON functions). */
const migrationSql = {
  up:
    `UPDATE $table SET doc = json_set(doc, '$.summary', json_extract(doc, '$.title'), '$.done', ` +
    `json(CASE WHEN json_extract(doc, '$.status') = 'done' THEN 'true' ELSE 'false' END), '$.schemaVersion', 2)`,
  down: `UPDATE $table SET doc = json_set(json_remove(doc, '$.summary', '$.done'), '$.schemaVersion', 1)`,
};

/**
 * The migration written by hand on SQLite, the two ways a user would (issue 17): a read, transform
 * and `UPDATE` loop in pages, and one `json_set` UPDATE statement. Each runs over the baseline table
 * loaded with the documents as they are before the step (not measured). Empty on other stores.
 */
export async function handWrittenBaselines(
  context: BenchContext,
  direction: 'up' | 'down',
): Promise<{ loop: PhaseResult; sql: PhaseResult } | undefined> {
  const baseline = await context.baseline();
  const { updateLoop, updateSql } = baseline;
  if (!updateLoop || !updateSql) return undefined;
  const before = direction === 'up' ? (doc: JsonObject) => doc : migrated;
  const load = async () => {
    await baseline.reset();
    for (const batch of taskBatches(context.options)) await baseline.write(batch.map(before));
  };
  const down = ({ summary: _s, done: _d, ...rest }: JsonObject): JsonObject => ({
    ...rest,
    schemaVersion: 1,
  });
  const transform = direction === 'up' ? migrated : down;
  await load();
  const loop = await context.measure('baseline-update-loop', (phase) =>
    updateLoop.call(baseline, transform, () => phase.poll()),
  );
  await load();
  const sql = await context.measure('baseline-json-set', () =>
    updateSql.call(baseline, migrationSql[direction]),
  );
  return { loop, sql };
}

/**
 * Records a passed dry run of the plan (apply refuses a plan without one; the bench does not
 * measure it) and a dba's approval of it, signed with the bench's throwaway key.
 */
export async function approveBenchPlan(
  ledger: Ledger,
  planHash: string,
  keys: ReturnType<typeof generateApproverKeys>,
): Promise<void> {
  const now = Date.now();
  const createdAt = new Date(now).toISOString();
  const report = { format: 'steward.migrations.dry-run/1', planHash, createdAt, ok: true } as DryRunReport;
  const reportHash = createHash('sha256').update(`bench:${planHash}:${createdAt}`).digest('hex');
  await recordDryRun(ledger, report, { json: 'bench-report.json', hash: reportHash });
  const approval = signApproval(
    {
      subject: migrationApprovalSubject(planHash, reportHash),
      subjectKind: migrationsApprovalKind,
      approver: 'bench',
      role: 'dba',
      signedAt: new Date(now - 1000).toISOString(),
      expiresAt: new Date(now + 3_600_000).toISOString(),
    },
    parsePrivateKey(keys.privateKeyPem, 'bench key'),
  );
  await recordApproval(ledger, approval, createdAt);
}
