/**
 * `canonicalText` is what every document digest hashes, and digests are stored in ledgers (batch
 * images, checksums in checkpoints and audit records): a faster implementation must give the same
 * text, byte for byte, as the one it replaced (issue 17, fourth pass). `previousCanonicalText`
 * below is that implementation, copied as it was (b170734); fast-check, fixed seed, compares them
 * on generated JSON values and on shapes the layout tree must tell apart.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { canonicalJson, type JsonObject, type JsonValue } from '../../src/core/json.js';
import { documentDigest } from '../../src/migrations/collection-checksum.js';
import { canonicalText, checkedCanonicalText, cloneJson } from '../../src/migrations/json-values.js';

/** The implementation before issue 17's fourth pass, unchanged: the oracle. */
function previousCanonicalText(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + previousCanonicalText(value[i]);
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  for (let i = 1; i < keys.length; i++) {
    if (keys[i - 1]! > keys[i]!) {
      keys.sort();
      break;
    }
  }
  let out = '{';
  let first = true;
  for (const key of keys) {
    const item = record[key];
    if (item === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(key)}:${previousCanonicalText(item)}`;
    first = false;
  }
  return `${out}}`;
}

/** Field names that collide in the ways a cache of shapes could get wrong. */
const names = fc.oneof(
  fc.constantFrom(
    'a',
    'b',
    'ab',
    'a,b',
    'a\u0000b',
    '',
    '__proto__',
    'constructor',
    '10',
    '2',
    '-1',
    'é',
    'e\u0301',
    '\ud83d\ude00',
    '"',
    '\\',
    '\n',
    'toJSON',
  ),
  fc.string({ unit: 'binary', maxLength: 6 }),
);

const numbers = fc.oneof(
  fc.constantFrom(0, -0, 1e21, 1e-7, -1e21, 5e-324, Number.MAX_SAFE_INTEGER, 0.1 + 0.2, Number.NaN, Infinity),
  fc.double(),
  fc.integer(),
);

const leaves = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  numbers,
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
);

/** JSON values as `JSON.parse` makes them (so `__proto__` is an own field), nested. */
const { value: json } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaves, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 5 }),
  object: fc
    .array(fc.tuple(names, tie('value')), { maxLength: 7 })
    .map((fields) =>
      JSON.parse(
        `{${fields.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v) ?? 'null'}`).join(',')}}`,
      ),
    ),
}));

test("canonicalText gives the previous implementation's text for generated JSON values", () => {
  fc.assert(
    fc.property(json, (value) => {
      assert.equal(canonicalText(value), previousCanonicalText(value));
    }),
    { numRuns: 20_000, seed: 20_261_205 },
  );
});

test('canonicalText is unchanged for the same fields in other orders, with undefined fields and holes', () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.tuple(names, leaves), { selector: ([k]) => k, maxLength: 8 }),
      fc.nat(),
      (fields, seed) => {
        const forward: Record<string, unknown> = {};
        for (const [k, v] of fields) forward[k] = v;
        const backward: Record<string, unknown> = {};
        for (const [k, v] of [...fields].reverse()) backward[k] = v;
        const withUndefined: Record<string, unknown> = { ...forward, [`u${seed}`]: undefined };
        const nested = { inner: forward, list: [backward, undefined, withUndefined], again: backward };
        for (const value of [forward, backward, withUndefined, nested, [withUndefined, nested]])
          assert.equal(canonicalText(value), previousCanonicalText(value));
        assert.equal(canonicalText(forward), canonicalText(backward));
      },
    ),
    { numRuns: 5_000, seed: 20_261_205 },
  );
});

test('canonicalText: documents of one shape and prefixes of it share no layout by mistake', () => {
  const docs = [
    { id: 't1', title: 'x', status: 'done', schemaVersion: 1 },
    { id: 't1', title: 'x', status: 'done' },
    { id: 't1', title: 'x' },
    { title: 'x', id: 't1' },
    { id: 't1', title: 'x', status: 'done', schemaVersion: 1, summary: 'x', done: true },
    { 'a,b': 1 },
    { a: 1, b: 2 },
    { 'a\u0000b': 1 },
    { a: { b: { c: [1, { d: 2, c: 3 }] } } },
  ];
  for (let round = 0; round < 2; round++)
    for (const doc of docs) assert.equal(canonicalText(doc), previousCanonicalText(doc), JSON.stringify(doc));
  assert.equal(
    documentDigest({ title: 'Request lab results', id: 'task-0000001', schemaVersion: 1 }),
    documentDigest({ id: 'task-0000001', schemaVersion: 1, title: 'Request lab results' }),
  );
});

test('canonicalText keeps the same text once the layout tree is full', () => {
  // Documents used as maps: every one has new field names, far past the tree's bound.
  for (let i = 0; i < 12_000; i++) {
    const doc = { [`k${i}`]: i, [`j${i}`]: { [`m${i}`]: [i, `v${i}`] }, id: i };
    assert.equal(canonicalText(doc), previousCanonicalText(doc));
  }
  const late = { zeta: 1, alpha: { beta: 2, aleph: 3 }, mid: [{ y: 1, x: 2 }] };
  assert.equal(canonicalText(late), previousCanonicalText(late));
});

/** Plain JSON as the JSON check of `up`'s result defines it: what `checkedCanonicalText` accepts. */
function plainJson(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value !== 'object') return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!plainJson(value[i])) return false;
    return true;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  return Object.values(value).every(plainJson);
}

/** Values JSON cannot hold, put where a document could hold them. */
const notJson = fc.constantFrom(
  undefined,
  Number.NaN,
  Infinity,
  -Infinity,
  1n,
  () => 1,
  Symbol('s'),
  new Date(0),
  new Map(),
  new (class Doc {})(),
);

describe('checkedCanonicalText', () => {
  test("gives canonicalText's text for generated JSON values, undefined for those with NaN or Infinity", () => {
    fc.assert(
      fc.property(json, (value) => {
        assert.equal(checkedCanonicalText(value), plainJson(value) ? canonicalText(value) : undefined);
      }),
      { numRuns: 20_000, seed: 20_261_205 },
    );
  });

  test('gives undefined for a document with a value that is not JSON anywhere in it, the text otherwise', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(names, leaves), { selector: ([k]) => k, minLength: 1, maxLength: 8 }),
        notJson,
        fc.nat(),
        (fields, bad, at) => {
          const doc: Record<string, unknown> = Object.create(null);
          for (const [k, v] of fields) doc[k] = v;
          const spot = fields[at % fields.length]![0];
          const places = [
            { ...doc, [spot]: bad },
            { ...doc, inner: { list: [1, { ...doc, [spot]: bad }] } },
            { ...doc, list: [bad] },
          ];
          for (const value of [doc, { wrap: doc, list: [doc, [doc]] }])
            assert.equal(checkedCanonicalText(value), plainJson(value) ? canonicalText(value) : undefined);
          for (const value of places) assert.equal(checkedCanonicalText(value), undefined);
        },
      ),
      { numRuns: 3_000, seed: 20_261_205 },
    );
  });

  test('keeps the same text once the layout tree is full, and still finds what is not JSON', () => {
    for (let i = 0; i < 12_000; i++) {
      const doc = { [`k${i}`]: i, [`j${i}`]: { [`m${i}`]: [i, `v${i}`] }, id: i };
      assert.equal(checkedCanonicalText(doc), previousCanonicalText(doc));
    }
    const late = { zeta: 1, alpha: { beta: 2, aleph: 3 }, mid: [{ y: 1, x: 2 }] };
    assert.equal(checkedCanonicalText(late), previousCanonicalText(late));
    assert.equal(checkedCanonicalText({ ...late, fresh: { gone: undefined } }), undefined);
    assert.equal(checkedCanonicalText({ ...late, fresh2: [Number.NaN] }), undefined);
  });
});

/** Every object and array in a value, to tell a deep copy from one that shares any of them. */
function containers(value: unknown, into = new Set<object>()): Set<object> {
  if (value === null || typeof value !== 'object') return into;
  into.add(value);
  for (const item of Object.values(value)) containers(item, into);
  return into;
}

test('cloneJson gives an equal value, field order and own __proto__ fields kept, sharing no object or array', () => {
  fc.assert(
    fc.property(json, (value) => {
      const copy = cloneJson(value as JsonValue);
      assert.deepStrictEqual(copy, value);
      assert.equal(JSON.stringify(copy), JSON.stringify(value));
      const shared = containers(value);
      for (const inner of containers(copy)) assert.ok(!shared.has(inner), 'a deep copy shares nothing');
      for (const inner of containers(copy))
        if (!Array.isArray(inner)) assert.equal(Object.getPrototypeOf(inner), Object.prototype);
    }),
    { numRuns: 10_000, seed: 20_261_205 },
  );
});

describe('canonicalText beside canonicalJson', () => {
  test('equals canonicalJson for documents met in changing field orders, nested ones too', () => {
    const docs: JsonObject[] = [
      { id: 'a', v: 1, title: 't', status: 'open' },
      { id: 'b', v: 1, title: 't', status: 'open' },
      // Same names, another order; then other names of the same count.
      { status: 'done', title: 'u', id: 'c', v: 2 },
      { id: 'd', v: 1, title: 't', zeta: 'z' },
      { id: 'e', v: 1, title: 't', status: 'open' },
      // A nested object of the same length as its parent, in another order, and arrays of objects.
      {
        z: { d: 1, c: 2, b: 3, a: 4 },
        y: 1,
        x: [
          { q: 1, p: 2 },
          { p: 3, q: 4 },
        ],
        w: null,
      },
      { y: 1, z: { a: 4, b: 3, c: 2, d: 1 }, x: [], w: 'w' },
      { b: 1, a: 2, c: undefined } as unknown as JsonObject,
      { é: 1, e: 2, E: 3, '': 4, '10': 5, '9': 6 },
    ];
    for (let round = 0; round < 3; round++)
      for (const doc of docs) assert.equal(canonicalText(doc), canonicalJson(doc), JSON.stringify(doc));
  });

  test('does not reorder the document it is given', () => {
    const doc: JsonObject = { b: 1, a: 2 };
    canonicalText(doc);
    canonicalText({ b: 3, a: 4 });
    assert.deepEqual(Object.keys(doc), ['b', 'a']);
  });
});
