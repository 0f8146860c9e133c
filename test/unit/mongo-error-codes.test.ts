/**
 * How the MongoDB adapter recognises a server error by its code, including mongo-java-server's
 * missing namespace, sent as the bare message "ns not found" without a code
 * (docs/mongodb-targets.md). Plain error objects as the driver builds them; no server needed.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasCode } from '../../src/stores/mongodb/mongodb-errors.js';

test('a coded server error matches its code only', () => {
  const error = Object.assign(new Error('ns not found'), { code: 26 });
  assert.equal(hasCode(error, 26), true);
  assert.equal(hasCode(error, 48), false);
  assert.equal(hasCode(Object.assign(new Error('x'), { code: 48 }), 26, 48), true);
});

test('"ns not found" without a code counts as 26 (NamespaceNotFound), and only as 26', () => {
  const bare = new Error('ns not found');
  assert.equal(hasCode(bare, 26), true);
  assert.equal(hasCode(bare, 48), false);
  assert.equal(hasCode(new Error('ns not found, or something else'), 26), false);
  assert.equal(hasCode(Object.assign(new Error('ns not found'), { code: 11000 }), 26), false);
  assert.equal(hasCode(undefined, 26), false);
  assert.equal(hasCode(null, 26), false);
});
