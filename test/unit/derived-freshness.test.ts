/** The freshness decision of `derived status`, pure, on the defaults a declaration resolves to. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { judgeFreshness } from '../../src/derived/status/derived-status.js';
import { emptyTally } from '../../src/derived/status/freshness-tally.js';

const noIncidents = { openIncidents: 0 };

test('a manual refresh without an allowance promises no age: not-applicable, not "must be immediate"', () => {
  const judged = judgeFreshness({ snapshot: false, refresh: 'manual' }, emptyTally(), noIncidents, undefined);
  assert.equal(judged.state, 'not-applicable');
  assert.doesNotMatch(judged.reason, /immediate/);
});

test('a synchronous refresh without an allowance is immediate: open drift puts it outside', () => {
  const within = judgeFreshness(
    { snapshot: false, refresh: 'synchronous' },
    emptyTally(),
    noIncidents,
    undefined,
  );
  assert.equal(within.state, 'within');
  const outside = judgeFreshness(
    { snapshot: false, refresh: 'synchronous' },
    emptyTally(),
    { openIncidents: 2 },
    undefined,
  );
  assert.equal(outside.state, 'outside');
});
