/** Errors become JSON answers in one place: statuses by code, fields named, secrets scrubbed. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StewardError } from '../../src/errors/steward-error.js';
import { ApiError } from '../../src/server/api-error.js';
import { errorReply } from '../../src/server/error-reply.js';
import { redactSecrets } from '../../src/server/redact-secrets.js';

test('StewardError codes map to statuses, with the field from the details', () => {
  const reply = (code: StewardError['code']) => errorReply(new StewardError(code, 'x', { field: 'name' }));
  assert.equal(reply('input.invalid').status, 400);
  assert.equal(reply('collection.unknown').status, 404);
  assert.equal(reply('lease.held').status, 409);
  assert.equal(reply('store.unreachable').status, 503);
  assert.deepEqual(reply('usage').body, { error: { code: 'usage', message: 'x', field: 'name' } });
  assert.equal(errorReply(new ApiError(403, 'auth.forbidden', 'no')).status, 403);
});

test('a bug is a 500 that says nothing of its cause', () => {
  const reply = errorReply(new TypeError('cannot read properties of undefined (reading "uri")'));
  assert.equal(reply.status, 500);
  assert.equal(reply.internal, true);
  assert.doesNotMatch(JSON.stringify(reply.body), /uri|undefined/);
});

test('connection strings, tokens and keys never leave in a message', () => {
  const error = new StewardError(
    'store.unreachable',
    'cannot reach mongodb://admin:s3cret@db.internal:27017/app (token stw_abcDEF123_-xyz)',
  );
  const text = JSON.stringify(errorReply(error).body);
  assert.doesNotMatch(text, /s3cret|admin:|stw_abc/);
  assert.match(text, /mongodb:\/\/\[redacted\]/);
  assert.equal(
    redactSecrets('-----BEGIN PRIVATE KEY-----\nMC4CAQ\n-----END PRIVATE KEY-----'),
    '[redacted key]',
  );
});
