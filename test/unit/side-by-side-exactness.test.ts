import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BSON } from 'mongodb';
import { plantedAt, plantedCount, userDocument } from '../../bench/baselines/user-documents.js';
import { exactness } from '../../bench/baselines/users-collections.js';

const text = (doc: Record<string, unknown>) => BSON.EJSON.stringify(doc, { relaxed: false });

test('side-by-side exactness: field order alone is not data lost; a changed type, a lost or added field is', () => {
  const original = userDocument('t', 1);
  const before = new Map([
    ['same', text(original)],
    ['reordered', text({ a: 1, b: { c: 2, d: 3 } })],
    ['lost', text({ a: 1, state: 'CA' })],
    ['added', text({ a: 1 })],
    ['retyped', text({ a: 1, n: new BSON.Int32(2) })],
    ['gone', text({ a: 1 })],
  ]);
  const after = new Map([
    ['same', text(userDocument('t', 1))],
    ['reordered', text({ b: { d: 3, c: 2 }, a: 1 })],
    ['lost', text({ a: 1 })],
    ['added', text({ a: 1, status: null })],
    ['retyped', text({ a: 1, n: new BSON.Double(2) })],
    ['new', text({ a: 1 })],
  ]);
  assert.deepEqual(exactness(before, after), {
    documents: 6,
    byteIdentical: 1,
    dataLost: 3,
    missing: 1,
    extra: 1,
    lostKeys: ['added', 'lost', 'retyped'],
  });
});

test('side-by-side documents: one in fifty planted, the three kinds in turn, 40 of 2,000 as issue 17 saw', () => {
  assert.equal(plantedCount(2000), 40);
  assert.equal(plantedCount(500), 10);
  assert.deepEqual([7, 57, 107, 157].map(plantedAt), ['had-state', 'no-status', 'null-active', 'had-state']);
  assert.equal(userDocument('s', 7).state, 'CA');
  assert.equal('status' in userDocument('s', 57), false);
  assert.equal(userDocument('s', 107).active, null);
  assert.deepEqual(userDocument('s', 3), userDocument('s', 3), 'the same documents on every run');
  assert.equal('state' in userDocument('s', 3) || 'active' in userDocument('s', 3), false);
});
