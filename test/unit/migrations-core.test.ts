import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { JsonObject } from '../../src/core/json.js';
import { isStewardError, type StewardError } from '../../src/errors/steward-error.js';
import { canonicalText } from '../../src/migrations/json-values.js';
import { loadMigrations } from '../../src/migrations/load-migrations.js';
import type { Migration } from '../../src/migrations/migration.js';
import { pendingMigrations, planHash } from '../../src/migrations/migration-plan.js';
import { migrateDown, migrateUp } from '../../src/migrations/transform-document.js';

const splitName: Migration = {
  id: '001-split-name',
  description: 'split name',
  collections: ['subjects'],
  targetVersion: 2,
  fromVersion: 1,
  file: '001-split-name.migration.ts',
  checksum: 'c1',
  up: (doc) => {
    const [first, ...rest] = String(doc.name).split(' ');
    const { name: _name, ...kept } = doc;
    return { ...kept, name: { first: first ?? '', last: rest.join(' ') } };
  },
  down: (doc) => {
    const name = doc.name as { first: string; last: string };
    return { ...doc, name: `${name.first} ${name.last}` };
  },
};

const at = (version: number | undefined, extra: JsonObject = {}): JsonObject => ({
  id: 'k1',
  name: 'Ada Lovelace',
  ...(version === undefined ? {} : { schemaVersion: version }),
  ...extra,
});

describe('migrateUp and migrateDown', () => {
  test('rewrites a document at fromVersion and sets the version; down gives it back exactly', () => {
    const doc = at(1);
    const up = migrateUp(splitName, doc, 'id', 'schemaVersion');
    assert.deepEqual(up, {
      status: 'changed',
      doc: { id: 'k1', schemaVersion: 2, name: { first: 'Ada', last: 'Lovelace' } },
    });
    assert.deepEqual(doc, at(1), 'the input is not modified');
    const down = migrateDown(splitName, (up as { doc: JsonObject }).doc, 'id', 'schemaVersion');
    assert.deepEqual(down, { status: 'changed', doc });
  });

  test('is version-gated: at the target it is skipped, so re-running is a no-op', () => {
    assert.deepEqual(migrateUp(splitName, at(2), 'id', 'schemaVersion'), {
      status: 'skipped',
      reason: 'at-target',
    });
    assert.deepEqual(migrateUp(splitName, at(3), 'id', 'schemaVersion'), {
      status: 'skipped',
      reason: 'at-target',
    });
    assert.deepEqual(migrateDown(splitName, at(1), 'id', 'schemaVersion'), {
      status: 'skipped',
      reason: 'at-target',
    });
  });

  test("a document without a version is at the contract's assumeVersion, and reported when none is declared", () => {
    assert.equal(migrateUp(splitName, at(undefined), 'id', 'schemaVersion', 1).status, 'changed');
    const v2 = { ...splitName, fromVersion: 2, targetVersion: 3 };
    assert.equal(migrateUp(v2, at(undefined), 'id', 'schemaVersion', 2).status, 'changed');
    assert.match(
      (migrateUp(v2, at(undefined), 'id', 'schemaVersion', 1) as { reason: string }).reason,
      /is at version 1, but/,
    );
    const outcome = migrateUp(splitName, at(undefined), 'id', 'schemaVersion');
    assert.equal(outcome.status, 'failed');
    assert.match((outcome as { reason: string }).reason, /has no schemaVersion.*assumeVersion/);
  });

  const failures: [string, Partial<Migration>, JsonObject, RegExp][] = [
    [
      'up throws',
      {
        up: () => {
          throw new Error('no name');
        },
      },
      at(1),
      /up\(\) threw: no name/,
    ],
    [
      'up returns nothing',
      { up: () => undefined as unknown as JsonObject },
      at(1),
      /returned undefined, not a document/,
    ],
    [
      'up returns an array',
      { up: () => [] as unknown as JsonObject },
      at(1),
      /returned an array, not a document/,
    ],
    [
      'up returns a Date',
      { up: (d) => ({ ...d, at: new Date() as unknown as string }) },
      at(1),
      /not JSON at at/,
    ],
    // The check runs without building paths (apply's hot path) and names the path only on failure.
    [
      'up returns NaN deep in an array',
      { up: (d) => ({ ...d, a: { b: [1, Number.NaN] } }) },
      at(1),
      /not JSON at a\.b\.1/,
    ],
    [
      'up returns an undefined field',
      { up: (d) => ({ ...d, gone: undefined as unknown as string }) },
      at(1),
      /not JSON at gone/,
    ],
    [
      'up returns a Map in an array',
      { up: (d) => ({ ...d, list: [{ m: new Map() as unknown as string }] }) },
      at(1),
      /not JSON at list\.0\.m/,
    ],
    ['up returns a bigint', { up: (d) => ({ ...d, n: 1n as unknown as number }) }, at(1), /not JSON at n/],
    ['up changes the key', { up: (d) => ({ ...d, id: 'k2' }) }, at(1), /changed the key field id/],
    [
      'a version the migration does not start from',
      { fromVersion: 2, targetVersion: 3 },
      at(1),
      /is at version 1, but 001-split-name migrates version 2/,
    ],
    [
      'a version that is not a number',
      {},
      at(undefined, { schemaVersion: 'v1' }),
      /schemaVersion is "v1", not an integer version/,
    ],
  ];
  for (const [name, change, doc, message] of failures) {
    test(`reports, without throwing: ${name}`, () => {
      const outcome = migrateUp({ ...splitName, ...change }, doc, 'id', 'schemaVersion');
      assert.equal(outcome.status, 'failed');
      assert.match((outcome as { reason: string }).reason, message);
    });
    // Apply's path: the JSON check is the walk that makes the canonical text; same reasons.
    test(`reports the same, with the canonical text asked for: ${name}`, () => {
      const plain = migrateUp({ ...splitName, ...change }, doc, 'id', 'schemaVersion');
      const outcome = migrateUp({ ...splitName, ...change }, doc, 'id', 'schemaVersion', undefined, {
        canonicalText: true,
      });
      assert.equal(outcome.status, 'failed');
      assert.match((outcome as { reason: string }).reason, message);
      assert.deepEqual(outcome, plain);
    });
  }

  // What setting the version field overwrites, and what spreading the result would hide, is
  // still checked when the check is the canonical text's walk of the document as written.
  const hidden: [string, Partial<Migration>, RegExp][] = [
    [
      'up leaves NaN in the version field',
      { up: (d) => ({ ...d, schemaVersion: Number.NaN }) },
      /not JSON at schemaVersion/,
    ],
    [
      'up leaves an undefined version field',
      { up: (d) => ({ ...d, schemaVersion: undefined as unknown as number }) },
      /not JSON at schemaVersion/,
    ],
    [
      'up leaves an object in the version field',
      { up: (d) => ({ ...d, schemaVersion: new Date() as unknown as number }) },
      /not JSON at schemaVersion/,
    ],
    [
      'up returns a class instance',
      {
        up: (d) => Object.assign(new (class Doc {})(), d) as unknown as JsonObject,
      },
      /not JSON at the root/,
    ],
    [
      'up returns an undefined field under another object',
      { up: (d) => ({ ...d, deep: { a: [{ b: undefined as unknown as string }] } }) },
      /not JSON at deep\.a\.0\.b/,
    ],
  ];
  for (const [name, change, message] of hidden) {
    for (const canonicalText of [false, true])
      test(`reports, without throwing: ${name} (canonical text ${canonicalText ? 'asked' : 'not asked'})`, () => {
        const outcome = migrateUp({ ...splitName, ...change }, at(1), 'id', 'schemaVersion', undefined, {
          canonicalText,
        });
        assert.equal(outcome.status, 'failed');
        assert.match((outcome as { reason: string }).reason, message);
      });
  }

  test('with the canonical text asked for, a rewritten document carries its canonical text', () => {
    const up = (d: JsonObject) => ({ ...d, list: [{ y: 1, x: 'é' }], zeta: null, alpha: -0 });
    const outcome = migrateUp({ ...splitName, up }, at(1), 'id', 'schemaVersion', undefined, {
      canonicalText: true,
    });
    assert.equal(outcome.status, 'changed');
    const { doc, text } = outcome as { doc: JsonObject; text: string };
    assert.equal(text, canonicalText(doc));
    assert.equal(doc.schemaVersion, 2);
    const plain = migrateUp({ ...splitName, up }, at(1), 'id', 'schemaVersion');
    assert.deepEqual(plain, { status: 'changed', doc });
  });

  test("a transform that mutates its argument cannot change the caller's document", () => {
    const doc = at(1, { tags: ['a'] });
    migrateUp(
      {
        ...splitName,
        up: (d) => {
          (d.tags as string[]).push('b');
          return d;
        },
      },
      doc,
      'id',
      'schemaVersion',
    );
    assert.deepEqual(doc.tags, ['a']);
  });
});

describe('pendingMigrations and planHash', () => {
  const second = { ...splitName, id: '002-rename', checksum: 'c2' };
  test('lists what is not applied, in order', () => {
    const { pending, problems } = pendingMigrations(
      [splitName, second],
      [{ id: '001-split-name', checksum: 'c1', appliedAt: 't' }],
    );
    assert.deepEqual(
      pending.map((m) => m.id),
      ['002-rename'],
    );
    assert.deepEqual(problems, []);
  });

  test('names an applied migration whose file changed or is gone, and one out of order', () => {
    const { problems } = pendingMigrations(
      [
        { ...splitName, checksum: 'edited' },
        { ...second, id: '000-early' },
      ],
      [
        { id: '001-split-name', checksum: 'c1', appliedAt: 't' },
        { id: '003-gone', checksum: 'c3', appliedAt: 't' },
      ],
    );
    assert.deepEqual(
      problems.map((p) => [p.id, p.kind]),
      [
        ['001-split-name', 'edited-after-apply'],
        ['003-gone', 'file-missing'],
        ['000-early', 'out-of-order'],
      ],
    );
  });

  test('the plan hash changes with any checksum, the store or the options', () => {
    const base = {
      migrations: [splitName],
      store: { name: 'main', kind: 'sqlite', collections: { subjects: 'subjects' } },
      options: { canaryPercent: 5, batchSize: 500 },
    };
    const hash = planHash(base);
    assert.equal(planHash({ ...base }), hash);
    assert.notEqual(planHash({ ...base, migrations: [{ ...splitName, checksum: 'x' }] }), hash);
    assert.notEqual(planHash({ ...base, store: { ...base.store, name: 'other' } }), hash);
    assert.notEqual(planHash({ ...base, options: { canaryPercent: 10, batchSize: 500 } }), hash);
  });
});

describe('loadMigrations', () => {
  test('loads TypeScript migrations in id order with their checksums', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'steward-migrations-'));
    const body = (id: string) =>
      `import { defineMigration } from 'steward';\nexport default defineMigration({ id: '${id}', description: 'd', collections: ['a'], targetVersion: 2, up: (doc) => ({ ...doc, x: 1 }) });\n`;
    writeFileSync(join(dir, 'b.migration.ts'), body('002-b'));
    writeFileSync(join(dir, 'a.migration.ts'), body('001-a'));
    const loaded = await loadMigrations(dir);
    assert.deepEqual(
      loaded.map((m) => [m.id, m.fromVersion]),
      [
        ['001-a', 1],
        ['002-b', 1],
      ],
    );
    assert.match(loaded[0]?.checksum ?? '', /^[0-9a-f]{64}$/);
  });

  test('reports a syntax error, a missing up and a duplicate id at once, naming the files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'steward-migrations-'));
    writeFileSync(join(dir, 'a.migration.ts'), 'export default defineMigration({ id: ');
    writeFileSync(
      join(dir, 'b.migration.mjs'),
      `export default { id: '1', description: 'd', collections: ['a'], targetVersion: 2 };\n`,
    );
    writeFileSync(
      join(dir, 'c.migration.mjs'),
      `export default { id: '2', description: 'd', collections: ['a'], targetVersion: 2, up: (d) => d };\n`,
    );
    writeFileSync(
      join(dir, 'd.migration.mjs'),
      `export default { id: '2', description: 'd', collections: ['a'], targetVersion: 2, up: (d) => d };\n`,
    );
    try {
      await loadMigrations(dir);
      assert.fail('expected migration.invalid');
    } catch (error) {
      assert.ok(isStewardError(error, 'migration.invalid'), String(error));
      const lines = ((error as StewardError).details.problems as { file: string; path: string }[]).map(
        (p) => `${p.file}:${p.path}`,
      );
      assert.deepEqual(
        lines.sort(),
        ['a.migration.ts:(file)', 'b.migration.mjs:up', 'd.migration.mjs:id'].sort(),
      );
    }
  });
});
