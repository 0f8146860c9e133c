/** The versioned reader: pure, so these run without a store. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Contract } from '../../src/contracts/contract.js';
import { createVersionedReader } from '../../src/contracts/reader/versioned-reader.js';
import { isStewardError } from '../../src/errors/steward-error.js';

/** A StewardError of code input.invalid with this reason whose message matches `pattern`. */
const readerError = (reason: string, pattern: RegExp) => (error: unknown) => {
  assert.ok(isStewardError(error, 'input.invalid'), `a StewardError input.invalid, got ${String(error)}`);
  assert.equal(error.details.reason, reason);
  assert.match(error.message, pattern);
  return true;
};

type Case3 = { id: string; schemaVersion: 3; title: string; tags: string[]; owner: { id: string } };

/** v1 has `name`; v2 renames it to `title`; v3 adds `tags` and nests `ownerId` as `owner.id`. */
const upcasters = {
  1: ({ name, ...doc }: Record<string, unknown>) => ({ ...doc, title: name, schemaVersion: 2 }),
  // Leaves the version for the reader to set.
  2: ({ ownerId, ...doc }: Record<string, unknown>) => ({ ...doc, tags: [], owner: { id: ownerId } }),
};

const reader = () => createVersionedReader<Case3>({ collection: 'cases', latest: 3, upcasters });

describe('versioned reader', () => {
  test('upcasts step by step to the latest version', () => {
    const r = reader();
    assert.deepEqual(r.read({ id: 'c-1', schemaVersion: 1, name: 'Fraud', ownerId: 'o-1' }), {
      id: 'c-1',
      schemaVersion: 3,
      title: 'Fraud',
      tags: [],
      owner: { id: 'o-1' },
    });
    assert.deepEqual(r.read({ id: 'c-2', schemaVersion: 2, title: 'Theft', ownerId: 'o-2' }).owner, {
      id: 'o-2',
    });
    assert.equal(r.oldest, 1);
    assert.equal(r.latest, 3);
  });

  test('a document at the latest version is returned as it is', () => {
    const doc = { id: 'c-3', schemaVersion: 3, title: 'x', tags: ['a'], owner: { id: 'o' } };
    assert.equal(reader().read(doc), doc);
  });

  test('the input document is never changed, even by an upcaster that mutates its argument', () => {
    const r = createVersionedReader({
      collection: 'cases',
      latest: 2,
      upcasters: {
        1: (doc) => {
          (doc.nested as { n: number }).n += 1;
          (doc.list as number[]).push(4);
          delete doc.gone;
          return doc;
        },
      },
    });
    const when = new Date(0);
    const input = { id: 'c-1', schemaVersion: 1, nested: { n: 1 }, list: [1, 2, 3], gone: true, when };
    const before = structuredClone(input);
    const out = r.read(input);
    assert.deepEqual(input, before);
    assert.deepEqual(out, { id: 'c-1', schemaVersion: 2, nested: { n: 2 }, list: [1, 2, 3, 4], when });
    assert.ok(out.when instanceof Date, 'class instances (Date, ObjectId) keep their type');
    assert.equal(Object.isFrozen(input), false);
  });

  test('versionOf and canRead', () => {
    const r = reader();
    assert.equal(r.versionOf({ schemaVersion: 2 }), 2);
    assert.equal(r.versionOf({}), undefined);
    assert.equal(r.versionOf({ schemaVersion: '2' }), undefined);
    assert.equal(r.canRead({ schemaVersion: 1 }), true);
    assert.equal(r.canRead({ schemaVersion: 4 }), false);
    assert.equal(r.canRead({}), false);
  });

  test('a gap in the upcasters fails at creation, naming the missing step', () => {
    assert.throws(
      () =>
        createVersionedReader({ collection: 'cases', latest: 4, upcasters: { 1: (d) => d, 3: (d) => d } }),
      readerError('upcaster-gap', /"cases": no upcaster from version 2 to 3.*add upcasters\[2\]/),
    );
    assert.throws(
      () => createVersionedReader({ collection: 'cases', latest: 2, upcasters: { 2: (d) => d } }),
      readerError('reader-config', /upcasters\[2\] would upcast past the latest version 2/),
    );
    assert.throws(
      () => createVersionedReader({ collection: 'cases', latest: 0 }),
      readerError('reader-config', /latest must be a version/),
    );
  });

  test('a document newer than latest: the service is older than the data', () => {
    assert.throws(
      () => reader().read({ id: 'c-9', schemaVersion: 4 }),
      readerError(
        'version-newer',
        /^cases: document "c-9" is at schema version 4, newer than version 3 .*older than the data/,
      ),
    );
  });

  test('a document older than the first upcaster', () => {
    const r = createVersionedReader({ collection: 'cases', latest: 3, upcasters: { 2: upcasters[2] } });
    assert.equal(r.oldest, 2);
    assert.throws(
      () => r.read({ _id: { $oid: '65f0c0ffee0000000000beef' }, schemaVersion: 1 }),
      readerError(
        'version-older',
        /document 65f0c0ffee0000000000beef is at schema version 1, older than version 2/,
      ),
    );
  });

  test('a document without a version: an error, or the assumed version', () => {
    assert.throws(
      () => reader().read({ id: 'c-5', name: 'old' }),
      readerError('version-missing', /document "c-5" has no "schemaVersion"; pass assumeVersion/),
    );
    const assuming = createVersionedReader({ collection: 'cases', latest: 3, upcasters, assumeVersion: 1 });
    assert.equal(assuming.versionOf({}), 1);
    assert.deepEqual(assuming.read({ id: 'c-5', name: 'old', ownerId: 'o' }), {
      id: 'c-5',
      title: 'old',
      schemaVersion: 3,
      tags: [],
      owner: { id: 'o' },
    });
    assert.throws(
      () =>
        createVersionedReader({
          collection: 'cases',
          latest: 3,
          upcasters: { 2: upcasters[2] },
          assumeVersion: 1,
        }),
      readerError('reader-config', /assumeVersion 1 is not a version this reader reads \(2 to 3\)/),
    );
    assert.throws(
      () => reader().read({ id: 7, schemaVersion: 'two' }),
      readerError('version-invalid', /document 7 has "schemaVersion" "two", not a version number/),
    );
  });

  test('an upcaster that throws: the error names the step and the document key', () => {
    const r = createVersionedReader({
      collection: 'cases',
      latest: 3,
      upcasters: {
        1: (d) => d,
        2: () => {
          throw new Error('ownerId is not a string');
        },
      },
    });
    assert.throws(
      () => r.read({ id: 'c-7', schemaVersion: 1 }),
      (error: unknown) => {
        readerError(
          'upcaster-failed',
          /upcasting document "c-7" from version 2 to 3 failed: ownerId is not a string/,
        )(error);
        assert.equal((error as { details: { step: number } }).details.step, 2);
        assert.ok((error as Error).cause instanceof Error, 'the original error is the cause');
        return true;
      },
    );
  });

  test('an upcaster must return a document and may only set the next version', () => {
    const returning = (value: unknown) =>
      createVersionedReader({
        collection: 'cases',
        latest: 2,
        upcasters: { 1: () => value as Record<string, unknown> },
      });
    assert.throws(
      () => returning(undefined).read({ id: 'a', schemaVersion: 1 }),
      readerError(
        'upcaster-result',
        /upcasting document "a" from version 1 to 2: the upcaster returned undefined, not a document/,
      ),
    );
    assert.throws(
      () => returning([1]).read({ id: 'a', schemaVersion: 1 }),
      readerError('upcaster-result', /returned an array/),
    );
    assert.throws(
      () => returning({ schemaVersion: 3 }).read({ id: 'a', schemaVersion: 1 }),
      readerError('upcaster-result', /set "schemaVersion" to 3; it must be 2/),
    );
    assert.deepEqual(returning({ x: 1 }).read({ schemaVersion: 1 }), { x: 1, schemaVersion: 2 });
  });

  test('a dotted version field', () => {
    const r = createVersionedReader({
      collection: 'cases',
      versionField: 'meta.v',
      latest: 2,
      upcasters: { 1: (d) => ({ ...d, added: true }) },
    });
    const shared = { v: 1, other: 'x' };
    assert.deepEqual(r.read({ meta: shared }), { meta: { v: 2, other: 'x' }, added: true });
    assert.deepEqual(shared, { v: 1, other: 'x' });
  });

  const contract: Contract = {
    collection: 'cases',
    owner: 'case-service',
    versionField: 'v',
    compatibility: { mode: 'backward', semantics: 'strict' },
    versions: [1, 2].map((version) => {
      const schema = {
        type: 'object',
        properties: { v: { const: version }, title: { type: 'string' } },
        required: version === 2 ? ['v', 'title'] : ['v'],
      };
      return { version, schema, resolved: schema, group: 1 };
    }),
    fields: {},
    consumers: {},
    waivers: [],
    file: 'cases.contract.json',
  };

  test('a contract gives the version field and latest; validation checks the result', () => {
    const r = createVersionedReader({
      contract,
      upcasters: { 1: (d) => ({ ...d, title: d.name }) },
      validate: true,
    });
    assert.equal(r.versionField, 'v');
    assert.equal(r.latest, 2);
    assert.deepEqual(r.read({ id: 'c-1', v: 1, name: 'ok' }), { id: 'c-1', v: 2, name: 'ok', title: 'ok' });
    assert.throws(
      () => r.read({ id: 'c-2', v: 1 }),
      readerError(
        'schema-invalid',
        /document "c-2" read as version 2 does not match that version's schema: title is required/,
      ),
    );
    assert.throws(
      () => r.read({ id: 'c-3', v: 2, title: 5 }),
      readerError('schema-invalid', /title must be string/),
    );
  });

  test('options that contradict the contract are refused', () => {
    assert.throws(
      () => createVersionedReader({ contract, versionField: 'schemaVersion' }),
      readerError(
        'reader-config',
        /versionField "schemaVersion" differs from the contract's "v" \(cases.contract.json\)/,
      ),
    );
    assert.throws(
      () => createVersionedReader({ contract, latest: 3 }),
      readerError('reader-config', /latest 3 is not a version of the contract/),
    );
    assert.throws(
      () => createVersionedReader({ collection: 'cases', latest: 1, validate: true }),
      readerError('reader-config', /validate needs a contract or a schema/),
    );
  });
});
