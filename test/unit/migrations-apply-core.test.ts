/**
 * The pure parts of apply and rollback, without a store: the order-independent checksum, the
 * canary's key hash, document planning (renames, version gate), restore planning, and which
 * migrations a rollback takes.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { keyFraction, storedTextDigest } from '../../src/core/hash.js';
import type { JsonObject } from '../../src/core/json.js';
import { isStewardError } from '../../src/errors/steward-error.js';
import { inCanary } from '../../src/migrations/apply/canary.js';
import { type CollectionRewrite, planDocument } from '../../src/migrations/apply/document-plan.js';
import type { MigrationBeforeImage } from '../../src/migrations/before-images.js';
import type { ChangelogRecord } from '../../src/migrations/changelog.js';
import {
  ChecksumAccumulator,
  checksumOf,
  digestKindOf,
  documentDigest,
  emptyChecksum,
} from '../../src/migrations/collection-checksum.js';
import type { Migration } from '../../src/migrations/migration.js';
import { planRestore } from '../../src/migrations/rollback/restore-plan.js';
import { rollbackTargets } from '../../src/migrations/rollback/rollback-plan.js';
import { keyId } from '../../src/stores/store.js';

const split: Migration = {
  id: '001',
  description: 'split',
  collections: ['people'],
  fromVersion: 1,
  targetVersion: 2,
  file: '001.migration.ts',
  checksum: 'c',
  up: (doc) => ({ ...doc, name: String(doc.name).split(' ') }),
  down: (doc) => ({ ...doc, name: (doc.name as string[]).join(' ') }),
};
const rewrite: CollectionRewrite = {
  migration: split,
  keyField: 'id',
  versionField: 'v',
  versioned: true,
  renames: [{ kind: 'rename-field', collection: 'people', from: 'nick', to: 'alias' }],
};

describe('collection checksum', () => {
  test('is independent of document order and field order, and resumes from a saved value', () => {
    const docs: JsonObject[] = [
      { id: 1, a: { x: 1, y: 2 } },
      { id: 2, b: 'two' },
      { id: 3, c: [1, 2] },
    ];
    const reordered = [docs[2]!, { b: 'two', id: 2 }, { a: { y: 2, x: 1 }, id: 1 }];
    assert.deepEqual(checksumOf(docs), checksumOf(reordered));
    assert.notDeepEqual(checksumOf(docs), checksumOf(docs.slice(1)));
    const half = ChecksumAccumulator.from(checksumOf(docs.slice(0, 1)));
    for (const doc of docs.slice(1)) half.add(doc);
    assert.deepEqual(half.result(), checksumOf(docs));
    assert.deepEqual(checksumOf([]), emptyChecksum);
  });

  test('is the count and the sum of the digests modulo 2^256, carries and every hex digit included', () => {
    const digests = [
      'f'.repeat(64),
      '0123456789abcdef'.repeat(4),
      'fedcba9876543210'.repeat(4),
      `${'0'.repeat(63)}1`,
      ...Array.from({ length: 50 }, (_, i) => documentDigest({ id: i })),
    ];
    const sum = ChecksumAccumulator.of('content');
    for (const digest of digests) sum.addDigest(digest);
    const expected = digests.reduce((total, d) => (total + BigInt(`0x${d}`)) % 2n ** 256n, 0n);
    assert.deepEqual(sum.result(), { count: digests.length, hash: expected.toString(16).padStart(64, '0') });
  });

  test('of stored texts: SHA-256 of each text byte for byte, summed the same way, marked text:', () => {
    const texts = [
      '{"id":1,"a":2}',
      '{"a":2,"id":1}',
      '{ "id": 1 }',
      '{"n":"\\u00e9"}',
      '{"e":"é 😀"}',
      ...Array.from({ length: 60 }, (_, i) => `{"id":${i}}`),
    ];
    const sum = ChecksumAccumulator.of('stored-text');
    for (const text of texts) sum.addText(text);
    const expected = texts.reduce(
      (total, t) => (total + BigInt(`0x${createHash('sha256').update(t).digest('hex')}`)) % 2n ** 256n,
      0n,
    );
    const result = sum.result();
    assert.deepEqual(result, {
      count: texts.length,
      hash: `text:${expected.toString(16).padStart(64, '0')}`,
    });
    assert.equal(digestKindOf(result), 'stored-text');
    // The same content in another field order or spacing is another checksum.
    assert.notDeepEqual(result.hash, checksumOfTexts([...texts.slice(1), '{"id":1,"a":3}']).hash);
    // By digests made earlier (base64url, as `Collection.encode` keeps them), and resumed from a result.
    const resumed = ChecksumAccumulator.from(checksumOfTexts(texts.slice(0, 3)));
    for (const text of texts.slice(3)) resumed.addTextDigest(storedTextDigest(text));
    assert.deepEqual(resumed.result(), result);
    assert.equal(resumed.kind, 'stored-text');
    // A stored-text sum refuses a document without its text rather than sum the wrong thing.
    assert.throws(() => ChecksumAccumulator.of('stored-text').add({ id: 1 }));
  });
});

function checksumOfTexts(texts: readonly string[]) {
  const sum = ChecksumAccumulator.of('stored-text');
  for (const text of texts) sum.addText(text);
  return sum.result();
}

describe('canary', () => {
  test('takes the keys keyFraction puts below the percent, about the percent asked', () => {
    for (const key of ['a', 17, { $oid: '65a1' }] as const)
      assert.equal(inCanary(key, 'seed', 30), keyFraction(keyId(key), 'seed') < 0.3);
    const keys = Array.from({ length: 4000 }, (_, i) => `k${i}`);
    const taken = keys.filter((k) => inCanary(k, 'plan-hash', 10)).length;
    assert.ok(taken > 320 && taken < 480, `${taken} of 4000`);
    assert.ok(keys.every((k) => inCanary(k, 'plan-hash', 100)));
  });
});

describe('planDocument', () => {
  test("asked for digests (apply), a write carries its document's digest, made by the walk that checks up()'s result", () => {
    const plan = planDocument(
      { id: 'p1', v: 1, name: 'Ada King', nick: 'ada' },
      { ...rewrite, digest: true },
    );
    assert.equal(plan.kind, 'write');
    if (plan.kind !== 'write') return;
    assert.deepEqual(plan.next, { id: 'p1', v: 2, name: ['Ada', 'King'], alias: 'ada' });
    assert.equal(plan.digest, documentDigest(plan.next));
    const bad = planDocument(
      { id: 'p2', v: 1, name: 'x' },
      { ...rewrite, digest: true, migration: { ...split, up: (d) => ({ ...d, at: Number.NaN }) } },
    );
    assert.deepEqual(bad, {
      kind: 'failed',
      key: 'p2',
      reason: 'up() returned a value that is not JSON at at',
    });
  });

  test('renames, then runs up() version-gated; the write expects the version it read', () => {
    const plan = planDocument({ id: 'p1', v: 1, name: 'Ada King', nick: 'ada' }, rewrite);
    assert.deepEqual(plan, {
      kind: 'write',
      key: 'p1',
      next: { id: 'p1', v: 2, name: ['Ada', 'King'], alias: 'ada' },
      expect: 1,
    });
    assert.deepEqual(planDocument({ id: 'p2', v: 2, name: ['A'] }, rewrite), {
      kind: 'at-target',
      key: 'p2',
    });
    assert.equal(planDocument({ id: 'p3', v: 1, nick: 'x', alias: 'y' }, rewrite).kind, 'failed');
    assert.equal(planDocument({ v: 1 }, rewrite).kind, 'failed');
    assert.deepEqual(planDocument({ id: 'p4', v: 5 }, { ...rewrite, versioned: false, renames: [] }), {
      kind: 'unchanged',
      key: 'p4',
    });
  });
});

describe('planRestore', () => {
  const original: JsonObject = { id: 'p1', v: 1, name: 'Ada King' };
  const image: MigrationBeforeImage = {
    migration: '001',
    attempt: 1,
    collection: 'people',
    key: 'p1',
    doc: original,
    writtenVersion: 2,
    savedAt: 'now',
  };
  const written = { id: 'p1', v: 2, name: ['Ada', 'King'] };

  test('restores an unchanged document, knows one already restored, reports one moved or gone', () => {
    assert.deepEqual(planRestore(image, written, 'v', rewrite), { kind: 'restore', doc: original });
    assert.deepEqual(planRestore(image, original, 'v', rewrite), { kind: 'already' });
    assert.equal(planRestore(image, { ...written, v: 3 }, 'v', rewrite).kind, 'failed');
    assert.equal(planRestore(image, undefined, 'v', rewrite).kind, 'failed');
    assert.deepEqual(planRestore({ ...image, doc: null }, written, 'v', rewrite), { kind: 'marker' });
  });

  test('a document changed since apply goes through an exact down(), else is restored and kept', () => {
    const edited = { id: 'p1', v: 2, name: ['Ada', 'Lovelace'] };
    assert.deepEqual(planRestore(image, edited, 'v', rewrite), {
      kind: 'down',
      doc: { id: 'p1', v: 1, name: 'Ada Lovelace' },
    });
    const noDown = { ...rewrite, migration: { ...split, down: undefined } };
    assert.deepEqual(planRestore(image, edited, 'v', noDown), {
      kind: 'restore',
      doc: original,
      overwrites: edited,
    });
  });
  test('without a digest, up() again: a -0 apply wrote reads back as 0, and that is no change', () => {
    const withZero = { ...image, doc: { ...original, n: -0 } };
    // What apply wrote went through JSON text: `up` kept `n: -0`, the store holds `0`.
    const readBack = JSON.parse(JSON.stringify({ ...written, n: -0 })) as JsonObject;
    assert.deepEqual(planRestore(withZero, readBack, 'v', rewrite), { kind: 'restore', doc: withZero.doc });
  });

  test('with the digest apply kept, tells a changed document without running up() again', () => {
    const digested = { ...image, writtenDigest: documentDigest(written) };
    const edited = { id: 'p1', v: 2, name: ['Ada', 'Lovelace'] };
    // Field order does not matter to the digest: the same document read back in another order.
    const reordered = { name: ['Ada', 'King'], v: 2, id: 'p1' };
    assert.deepEqual(planRestore(digested, reordered, 'v', undefined), { kind: 'restore', doc: original });
    assert.deepEqual(planRestore(digested, edited, 'v', rewrite), {
      kind: 'down',
      doc: { id: 'p1', v: 1, name: 'Ada Lovelace' },
    });
    // Without the migration file there is no down(), but the change is still seen and kept.
    assert.deepEqual(planRestore(digested, edited, 'v', undefined), {
      kind: 'restore',
      doc: original,
      overwrites: edited,
    });
  });
});

describe('rollbackTargets', () => {
  const record = (id: string, status: ChangelogRecord['status']) => ({ id, status }) as ChangelogRecord;
  const records = [
    record('001', 'applied'),
    record('002', 'rolled-back'),
    record('003', 'applied'),
    record('004', 'applying'),
  ];

  test('the last one by default; with --to, back to it inclusive, newest first', () => {
    assert.deepEqual(rollbackTargets(records), ['004']);
    assert.deepEqual(rollbackTargets(records, '001'), ['004', '003', '001']);
    assert.deepEqual(rollbackTargets([record('001', 'rolled-back')]), []);
    assert.throws(
      () => rollbackTargets(records, '002'),
      (e) => isStewardError(e, 'usage'),
    );
  });
});
