/**
 * How many calls the DynamoDB adapter lets run at once (issue 17): transactions one at a time on
 * DynamoDB Local, where ones sent together cost its CPU more, and side by side on AWS. Pure logic,
 * no store.
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { StewardError } from '../../src/errors/steward-error.js';
import {
  batchCallsInFlight,
  CallGate,
  transactionsInFlight,
  transactionsInFlightProblem,
} from '../../src/stores/dynamodb/concurrency.js';
import { DynamoClient } from '../../src/stores/dynamodb/dynamodb-client.js';

test('transactions run one at a time on a local endpoint, side by side on AWS', () => {
  assert.equal(transactionsInFlight('http://127.0.0.1:8000'), 1);
  assert.equal(transactionsInFlight('http://localhost:8000'), 1);
  assert.equal(transactionsInFlight('http://dynamodb-local:8000'), 1);
  assert.equal(transactionsInFlight('not a url'), 1);
  assert.equal(transactionsInFlight(undefined), batchCallsInFlight);
  assert.equal(transactionsInFlight('https://dynamodb.eu-west-1.amazonaws.com'), batchCallsInFlight);
  assert.equal(transactionsInFlight('https://dynamodb-fips.us-east-1.amazonaws.com'), batchCallsInFlight);
  assert.equal(transactionsInFlight('https://dynamodb.cn-north-1.amazonaws.com.cn'), batchCallsInFlight);
  assert.equal(transactionsInFlight('https://dynamodb.us-east-1.api.aws'), batchCallsInFlight);
  assert.ok(batchCallsInFlight > 1);
});

test('a store setting transactionsInFlight overrides the choice by endpoint, within 1 to 25', () => {
  assert.equal(transactionsInFlight('http://127.0.0.1:8000', 4), 4);
  assert.equal(transactionsInFlight('https://dynamodb.eu-west-1.amazonaws.com', 1), 1);
  assert.equal(transactionsInFlight(undefined, 25), 25);
  assert.equal(transactionsInFlightProblem(1), undefined);
  assert.equal(transactionsInFlightProblem(25), undefined);
  for (const bad of [0, 26, 2.5, -1, '2', null])
    assert.match(String(transactionsInFlightProblem(bad)), /from 1 to 25/);
  const local = { kind: 'dynamodb', region: 'r', endpoint: 'http://127.0.0.1:9' } as const;
  const clients = [new DynamoClient(local), new DynamoClient({ ...local, transactionsInFlight: 3 })];
  try {
    assert.deepEqual(
      clients.map((c) => c.transactionsInFlight),
      [1, 3],
    );
  } finally {
    for (const c of clients) c.destroy();
  }
  // A config built in code, past the loader, is checked where the client is made.
  assert.throws(
    () => new DynamoClient({ ...local, name: 'events', transactionsInFlight: 0 }),
    (e: unknown) =>
      e instanceof StewardError &&
      e.code === 'config.invalid' &&
      /stores\.events\.transactionsInFlight: must be a whole number of transactions from 1 to 25 \(got 0\)/.test(
        e.message,
      ),
  );
});

test('a gate runs at most its limit of calls at once, in the order they came, and frees a failed call', async () => {
  for (const limit of [1, 3]) {
    const gate = new CallGate(limit);
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    const call = (i: number) =>
      gate.run(async () => {
        started.push(i);
        peak = Math.max(peak, ++running);
        await new Promise((resolve) => setTimeout(resolve, 2));
        running--;
        if (i === 2) throw new Error('refused');
        return i;
      });
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => call(i)));
    assert.equal(peak, limit);
    assert.deepEqual(started, [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.equal(results[2]?.status, 'rejected');
    assert.deepEqual(
      results.filter((r) => r.status === 'fulfilled').map((r) => r.value),
      [0, 1, 3, 4, 5, 6, 7],
    );
  }
});
