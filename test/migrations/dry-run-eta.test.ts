/**
 * The dry run's ETA of the real apply (issue 17), pure: built from apply's own batch write timed
 * in the sandbox and two reads a document, it grows with the documents, extrapolates with the
 * growth the keyed-write timings show and only then, widens its range both ways when the dry run
 * met a busy machine, and its range holds its figure. The figures on real stores are
 * checked in dry-run.test.ts; the timings in BENCHMARKS.md.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyResidual, estimateApply, growthExponent } from '../../src/migrations/dry-run/apply-eta.js';
import { appliedBatch } from '../../src/migrations/dry-run/migrate-sandbox.js';

/** A pass of 1,000 documents: 500 ms, 100 of them reading pages; 300 documents through apply's write in 240 ms. */
const pass = {
  examined: 1000,
  passMs: 500,
  readMs: 100,
  applied: { documents: 300, ms: 240, cpuMs: 120 },
  sandboxDocuments: 1000,
};
/** Apply's time per document in that pass: its batch write (0.8 ms) and two reads (0.1 ms each). */
const applyMs = 240 / 300 + 2 * (100 / 1000);

const flat = {
  smallDocuments: 250,
  largeDocuments: 1000,
  smallMs: [2, 2.2, 1.9, 2.1, 2, 2.3],
  largeMs: [2.1, 1.9, 2.2, 2, 2, 2.1],
};
/** Four times the documents, four times the cost: a write that scans the collection. */
const scanning = { ...flat, largeMs: flat.smallMs.map((ms) => ms * 4) };

test("the ETA without growth is apply's batch write per document plus two reads, times the real documents", () => {
  const eta = estimateApply({ documents: 10_000, ...pass });
  assert.equal(eta.seconds, Math.round(10_000 * applyMs * applyResidual.likely) / 1000);
  assert.equal(eta.applyMsPerDocument, applyMs);
  assert.equal(eta.readMsPerDocument, 0.1);
  assert.equal(eta.passMsPerDocument, 0.5);
  assert.ok(eta.low < eta.seconds && eta.seconds < eta.high, JSON.stringify(eta));
  assert.deepEqual(eta.growthExponent, { low: 0, likely: 0, high: 0 });
  assert.equal(eta.writeMs, null);
  assert.match(eta.method, /apply's time per document timed in the sandbox/);
  assert.match(eta.method, /no growth with the collection's size measured/);
});

test("the ETA follows apply's batch write, not the plain upserts of the rest of the pass", () => {
  const base = estimateApply({ documents: 10_000, ...pass });
  // The plain batches twice as slow: the same ETA.
  assert.equal(estimateApply({ documents: 10_000, ...pass, passMs: 900 }).seconds, base.seconds);
  // Apply's batch write twice as slow: an ETA about that much higher.
  const dearer = estimateApply({ documents: 10_000, ...pass, applied: { ...pass.applied, ms: 480 } });
  assert.equal(dearer.seconds, Math.round(10_000 * (480 / 300 + 0.2)) / 1000);
  // No batch through apply's write (a report of an empty sandbox): the whole pass stands for it.
  const none = estimateApply({ documents: 10_000, ...pass, applied: { documents: 0, ms: 0, cpuMs: 0 } });
  assert.equal(none.seconds, Math.round(10_000 * (0.4 + 0.2)) / 1000);
});

test('a busy machine leaves the likely figure and widens the range: down to a quiet machine, up to one as much busier again', () => {
  const quiet = estimateApply({ documents: 10_000, ...pass, contention: 1 });
  const busy = estimateApply({ documents: 10_000, ...pass, contention: 3 });
  assert.equal(busy.seconds, quiet.seconds);
  assert.equal(quiet.low, Math.round(10_000 * applyMs * applyResidual.low) / 1000);
  assert.equal(quiet.high, Math.round(10_000 * applyMs * applyResidual.high) / 1000);
  // A CPU-bound task ran 3x slower than alone: everything may run 3x faster, or 3x slower again.
  assert.equal(busy.low, Math.round((10_000 * applyMs * applyResidual.low) / 3) / 1000);
  assert.equal(busy.high, Math.round(10_000 * applyMs * applyResidual.high * 3) / 1000);
  assert.equal(busy.contention, 3);
  assert.match(busy.method, /the machine was busy \(a CPU-bound task ran 3x slower than alone\)/);
  assert.match(busy.method, /from a quiet machine to one as much busier again/);
  assert.doesNotMatch(quiet.method, /busy/);
  // Below 1 is a measuring artefact: taken as a quiet machine.
  assert.deepEqual(estimateApply({ documents: 10_000, ...pass, contention: 0.8 }), quiet);
});

test("apply's batch write times every third batch from the second, or the only one", () => {
  const applied = (batches: number) =>
    Array.from({ length: batches }, (_, i) => appliedBatch(i, i === batches - 1)).flatMap((a, i) =>
      a ? [i] : [],
    );
  assert.deepEqual(applied(1), [0]);
  assert.deepEqual(applied(2), [1]);
  assert.deepEqual(applied(3), [1]);
  assert.deepEqual(applied(8), [1, 4, 7]);
});

test('the range holds the likely figure, whatever was measured', () => {
  for (const contention of [1, 1.4, 2.5, 12])
    for (const growth of [undefined, flat, scanning])
      for (const documents of [500, 1000, 50_000]) {
        const eta = estimateApply({ documents, ...pass, contention, ...(growth ? { growth } : {}) });
        assert.ok(eta.low > 0 && eta.low <= eta.seconds && eta.seconds <= eta.high, JSON.stringify(eta));
      }
});

test('the ETA grows with the real collection, the more so when a keyed write grows with it', () => {
  const at = (documents: number, growth?: typeof flat) =>
    estimateApply({ documents, ...pass, ...(growth ? { growth } : {}) });
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
  const eta = estimateApply({ documents: 10_000, ...pass, growth: scanning });
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
