/**
 * The dry run's ETA of the real apply (issue 17), pure: it grows with the documents, extrapolates
 * with the growth the keyed-write timings show and only then, and its range holds its figure.
 * The figures on real stores are checked in dry-run.test.ts; the timings in BENCHMARKS.md.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyWorkFactor, estimateApply, growthExponent } from '../../src/migrations/dry-run/apply-eta.js';

const flat = {
  smallDocuments: 250,
  largeDocuments: 1000,
  smallMs: [2, 2.2, 1.9, 2.1, 2, 2.3],
  largeMs: [2.1, 1.9, 2.2, 2, 2, 2.1],
};
/** Four times the documents, four times the cost: a write that scans the collection. */
const scanning = { ...flat, largeMs: flat.smallMs.map((ms) => ms * 4) };

test('the ETA without growth is the pass per document, times apply work factor, times the real documents', () => {
  const eta = estimateApply({ documents: 10_000, examined: 1000, passMs: 500, sandboxDocuments: 1000 });
  assert.equal(eta.seconds, (10_000 * 0.5 * applyWorkFactor.likely) / 1000);
  assert.ok(eta.low < eta.seconds && eta.seconds < eta.high, JSON.stringify(eta));
  assert.deepEqual(eta.growthExponent, { low: 0, likely: 0, high: 0 });
  assert.equal(eta.writeMs, null);
  assert.match(eta.method, /no growth with the collection's size measured/);
});

test('the ETA grows with the real collection, the more so when a keyed write grows with it', () => {
  const at = (documents: number, growth?: typeof flat) =>
    estimateApply({
      documents,
      examined: 1000,
      passMs: 500,
      sandboxDocuments: 1000,
      ...(growth ? { growth } : {}),
    });
  const sizes = [2000, 10_000, 100_000];
  for (const growth of [undefined, flat, scanning]) {
    const seconds = sizes.map((n) => at(n, growth).seconds);
    assert.ok(
      seconds[0]! < seconds[1]! && seconds[1]! < seconds[2]!,
      `${JSON.stringify(growth)}: ${seconds}`,
    );
  }
  for (const n of sizes) assert.ok(at(n, scanning).seconds > at(n, flat).seconds, `at ${n}`);
  // A write that scans costs in proportion to the collection: ten times the documents, each ten
  // times dearer.
  assert.equal(Math.round(at(10_000, scanning).seconds / at(10_000, flat).seconds), 10);
});

test('a keyed write that costs the same at both sizes gives no growth; one that scans gives about 1', () => {
  assert.equal(growthExponent(flat).likely, 0);
  const exponent = growthExponent(scanning);
  assert.ok(Math.abs(exponent.likely - 1) < 0.01, JSON.stringify(exponent));
  assert.ok(exponent.low <= exponent.likely && exponent.likely <= exponent.high);
  const eta = estimateApply({
    documents: 10_000,
    examined: 1000,
    passMs: 500,
    sandboxDocuments: 1000,
    growth: scanning,
  });
  assert.ok(eta.low <= eta.seconds && eta.seconds <= eta.high, JSON.stringify(eta));
  assert.match(eta.method, /\(10000 \/ 1000\)\^1/);
  assert.deepEqual(eta.writeMs, { smallDocuments: 250, small: 2.05, largeDocuments: 1000, large: 8.2 });
});

test('noise is not growth: a larger collection that is not clearly slower gives exponent 0, and the range keeps what the noise allows', () => {
  const noisy = { ...flat, largeMs: [1.5, 2.5, 1.8, 3.5, 2.4, 4] };
  const exponent = growthExponent(noisy);
  assert.equal(exponent.likely, 0);
  assert.equal(exponent.low, 0);
  assert.ok(exponent.high > 0, JSON.stringify(exponent));
});
