/**
 * A percentage gate over apply's canary is judged with the canary's size, and the dry run judges
 * it on exactly the canary's documents as apply will (issue 14, item 1). A collection where more
 * than 99% of the documents conform, with a `conforms` validator at `minPercent: 99`:
 * - one bad document in a canary of about 40 (97.5%, naive fail) is within what a sample of that
 *   size says about 99%: the dry run passes and so does the canary gate (before: the dry run
 *   passed, then the canary stopped apply after the approvals);
 * - three bad documents in the canary (92.5%) are evidence against 99%: the dry run fails and names
 *   the canary (before: it passed on the whole collection's 99.25%).
 * The built CLI, on SQLite, in an environment that needs no approval.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { inCanary } from '../../src/migrations/apply/canary.js';
import { openStore } from '../../src/stores/open-store.js';
import { projectWithConfig, runSteward } from '../support/run-steward.js';

const documents = 400;
const config = `{ stores: { main: { kind: 'sqlite', file: 'data/app.sqlite' } }, collections: { items: {} },
  environments: { development: { approvalPolicies: { migrations: { required: 0 } } } },
  migrations: { canaryPercent: 10, batchSize: 100 } }`;

const schema = (version: number) => ({
  type: 'object',
  properties: { id: { type: 'string' }, name: { type: 'string' }, schemaVersion: { type: 'integer' } },
  required: ['id', 'name', ...(version === 2 ? ['tier'] : [])],
});

const migration = `import { defineMigration } from 'steward';
export default defineMigration({
  id: '2026-12-05-items-tier',
  description: 'items get a tier',
  collections: ['items'],
  targetVersion: 2,
  up: (doc) => ({ ...doc, tier: 'basic' }),
  down: ({ tier: _tier, ...rest }) => rest,
  validators: { after: [{ kind: 'conforms', name: 'items match their contract', collection: 'items', minPercent: 99 }] },
});
`;

/** A project of 400 conforming v1 items, and its plan hash. */
async function project(): Promise<{
  steward: (...args: string[]) => ReturnType<typeof runSteward>;
  dir: string;
  planHash: string;
}> {
  const dir = projectWithConfig(config);
  const steward = (...args: string[]) => runSteward(args, { cwd: dir, env: { STEWARD_ENV: 'development' } });
  mkdirSync(join(dir, 'contracts'));
  mkdirSync(join(dir, 'migrations'));
  writeFileSync(
    join(dir, 'contracts/items.contract.json'),
    JSON.stringify({
      collection: 'items',
      owner: 'shop',
      versions: [1, 2].map((v) => ({ version: v, schema: schema(v) })),
    }),
  );
  writeFileSync(join(dir, 'migrations/2026-12-05-items-tier.migration.ts'), migration);
  const docs = Array.from({ length: documents }, (_, i) => ({
    id: `item-${String(i).padStart(4, '0')}`,
    name: `item ${i}`,
    schemaVersion: 1,
  }));
  await withItems(dir, async (items) => {
    const results = await items.write(docs.map((doc) => ({ type: 'insert', doc })));
    assert.ok(results.every((r) => r.status === 'ok'));
  });
  const plan = await steward('migrate', 'plan', '--json');
  assert.equal(plan.code, 0, plan.stderr);
  return { steward, dir, planHash: (JSON.parse(plan.stdout) as { hash: string }).hash };
}

async function withItems<T>(
  dir: string,
  work: (items: ReturnType<Awaited<ReturnType<typeof openStore>>['collection']>) => Promise<T>,
): Promise<T> {
  const store = await openStore({ kind: 'sqlite', file: join(dir, 'data/app.sqlite') });
  try {
    const spec = { name: 'items', keyField: 'id' };
    await store.ensureCollection(spec);
    return await work(store.collection(spec));
  } finally {
    await store.close();
  }
}

/**
 * Makes `inside` canary documents and `outside` others bad: already at v2 without the `tier` v2
 * requires (a newer writer's mistake), so `up` leaves them alone and `conforms` counts them.
 */
async function spoil(dir: string, planHash: string, inside: number, outside: number): Promise<number> {
  const keys = Array.from({ length: documents }, (_, i) => `item-${String(i).padStart(4, '0')}`);
  const canary = keys.filter((k) => inCanary(k, planHash, 10));
  assert.ok(canary.length >= 25 && canary.length <= 60, `a canary of ${canary.length}`);
  const others = keys.filter((k) => !inCanary(k, planHash, 10));
  const bad = [...canary.slice(0, inside), ...others.slice(0, outside)];
  await withItems(dir, (items) =>
    items.write(bad.map((id) => ({ type: 'replace', doc: { id, name: id, schemaVersion: 2 } }))),
  );
  return canary.length;
}

interface DryRunJson {
  report: {
    ok: boolean;
    migrations: { validators: { after: { name: string; ok: boolean; message: string }[] } }[];
  };
}

test('one bad document in the canary: within what the sample says of 99%, the dry run and the canary gate both pass', async () => {
  const { steward, dir, planHash } = await project();
  const canary = await spoil(dir, planHash, 1, 1);
  const dryRun = await steward('migrate', 'dry-run', '--json');
  assert.equal(dryRun.code, 0, dryRun.stdout + dryRun.stderr);
  const after = (JSON.parse(dryRun.stdout) as DryRunJson).report.migrations[0]!.validators.after;
  const onCanary = after.find((v) => v.name.includes('on the canary'));
  assert.ok(onCanary, JSON.stringify(after));
  assert.equal(onCanary.ok, true);
  assert.match(
    onCanary.message,
    new RegExp(`of ${canary} document\\(s\\) of items conform .*the canary is a sample of ${canary}`),
  );

  const apply = await steward('migrate', 'apply');
  assert.equal(apply.code, 0, apply.stdout + apply.stderr);
  assert.match(apply.stdout, /gate validators \(canary\): pass/);
});

test('three bad documents in the canary: the dry run fails and names the canary, though the whole collection passes', async () => {
  const { steward, dir, planHash } = await project();
  await spoil(dir, planHash, 3, 0);
  const dryRun = await steward('migrate', 'dry-run', '--json');
  assert.equal(dryRun.code, 1, dryRun.stdout + dryRun.stderr);
  const after = (JSON.parse(dryRun.stdout) as DryRunJson).report.migrations[0]!.validators.after;
  const whole = after.find((v) => v.name === 'items match their contract');
  assert.equal(whole?.ok, true, 'the whole collection conforms at 99.25%');
  const onCanary = after.find((v) => v.name.includes('on the canary'));
  assert.equal(onCanary?.ok, false, JSON.stringify(after));
  assert.match(onCanary!.message, /95% upper bound of its share \([\d.]+%\) is below that/);
  const apply = await steward('migrate', 'apply');
  assert.equal(apply.code, 2, 'a failed dry run is never applied');
});
