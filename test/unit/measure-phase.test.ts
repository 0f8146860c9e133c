import assert from 'node:assert/strict';
import { test } from 'node:test';
import { markdownRows } from '../../bench/bench-report.js';
import { measurePhase } from '../../bench/measure-phase.js';

test('measurePhase counts the garbage collections of the phase and their pauses', async () => {
  // A collection owed to allocations made before the phase may land inside any phase (CI saw one
  // in an idle phase), so an idle phase is held to "at most one", not to none.
  const quiet = await measurePhase('quiet', async () => 0);
  assert.ok(quiet.gcCount <= 1, `an idle phase counted ${quiet.gcCount} collections`);
  assert.ok(quiet.gcPauseMs >= 0 && quiet.gcPauseMs <= quiet.wallMs + 50);
  // About 200 MB of short-lived objects: far more than V8's young generation, so it scavenges.
  const busy = await measurePhase('busy', async () => {
    let kept: unknown = null;
    for (let i = 0; i < 2_000_000; i++) kept = { i, text: `document ${i}`, list: [i, i + 1] };
    return kept === null ? 0 : 1;
  });
  // 200 MB through a young generation of at most 32 MB: at least five scavenges.
  assert.ok(busy.gcCount >= 5, `too few collections counted: ${JSON.stringify(busy)}`);
  assert.ok(busy.gcPauseMs >= 0 && busy.gcPauseMs <= busy.wallMs);
});

test('the bench table shows each phase garbage collections, and none for older result files', () => {
  const phase = {
    label: 'migrate-apply',
    docs: 10,
    wallMs: 1000,
    busyMs: 1000,
    docsPerSec: 10,
    cpuMs: 900,
    rssBeforeMb: 1,
    peakRssMb: 2,
    peakHeapUsedMb: 1,
  };
  const result = {
    runId: 'r',
    options: { scenario: 'migrate-apply', store: 'sqlite' },
    phases: [
      { ...phase, gcCount: 12, gcPauseMs: 350 },
      phase, // written before the GC figures
    ],
    comparisons: [],
    findings: {},
  } as unknown as Parameters<typeof markdownRows>[0];
  const [header, , withGc, withoutGc] = markdownRows(result);
  assert.match(header!, /\| GC pause s \(count\) \|$/);
  assert.match(withGc!, /\| 0\.35 \(12\) \|$/);
  assert.ok(withoutGc!.endsWith('|  |'), withoutGc);
});

test("what Phase.prepare makes is not the phase's: its CPU and wall time are taken off", async () => {
  const burn = (ms: number): number => {
    const until = performance.now() + ms;
    let spins = 0;
    while (performance.now() < until) spins++;
    return spins;
  };
  const result = await measurePhase('prepared', async (phase) => {
    const spins = phase.prepare(() => burn(300));
    burn(20);
    return spins > 0 ? 1 : 0;
  });
  assert.equal(result.docs, 1);
  // 300 ms burnt in prepare, 20 in the phase: were prepare counted, both would pass 300.
  assert.ok(result.cpuMs < 150, `cpu ${result.cpuMs} ms counts the preparation`);
  assert.ok(result.wallMs < 150, `wall ${result.wallMs} ms counts the preparation`);
  assert.ok(result.cpuMs >= 10, `cpu ${result.cpuMs} ms lost the phase's own work`);
});
