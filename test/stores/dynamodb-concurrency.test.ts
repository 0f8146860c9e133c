/**
 * How many calls the DynamoDB adapter lets run at once (issue 17): transactions one at a time on
 * DynamoDB Local, where ones sent together cost its CPU more, and side by side on AWS. Pure logic,
 * no store.
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { batchCallsInFlight, CallGate, transactionsInFlight } from '../../src/stores/dynamodb/concurrency.js';

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
