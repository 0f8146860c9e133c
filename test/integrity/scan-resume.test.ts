/**
 * A scan killed with SIGKILL in the middle resumes from its checkpoint, and its final report
 * equals an uninterrupted scan's; two processes scanning segments 0/2 and 1/2 at once report
 * together what one process reports. Real processes on every selected store.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { scanJobName, scanReference } from '../../src/integrity/scan/scan-reference.js';
import type { ReferenceScanReport } from '../../src/integrity/scan/scan-report.js';
import type { Segment } from '../../src/stores/store.js';
import { selectedKinds } from '../support/test-stores.js';
import { buildExampleWorld, type ExampleWorld, exampleReferences, injectedOrphans } from './scan-fixture.js';

const child = new URL('./fixtures/scan-child.ts', import.meta.url).pathname;
const leaseTtlMs = 2000;

/**
 * The parts of a report that must not depend on how many runs it took. Not `lookups`: a resumed
 * run starts with no target keys remembered, so it may look up more.
 */
function outcome(report: ReferenceScanReport): Partial<ReferenceScanReport> {
  const copy: Partial<ReferenceScanReport> = { ...report };
  for (const name of runDependent) delete copy[name];
  return copy;
}
const runDependent = [
  'scanId',
  'startedAt',
  'resumed',
  'durationMs',
  'docsPerSecond',
  'incidents',
  'lookups',
] as const;

function startChild(
  w: ExampleWorld,
  reference: string,
  more: { rate?: number; segment?: Segment; batch: number; checkpointEveryMs?: number },
) {
  const args = {
    store: w.t.config,
    ledgerPrefix: w.ledgerPrefix,
    namePrefix: w.namePrefix,
    reference,
    leaseTtlMs,
    ...more,
  };
  const proc = spawn(process.execPath, ['--import', 'tsx', child, JSON.stringify(args)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: proc.stdout! });
  return { proc, lines };
}

async function reportOf(proc: ChildProcess, lines: ReturnType<typeof createInterface>) {
  let report: ReferenceScanReport | undefined;
  lines.on('line', (line) => {
    const parsed = JSON.parse(line) as { report?: ReferenceScanReport };
    if (parsed.report) report = parsed.report;
  });
  const [code] = (await once(proc, 'exit')) as [number];
  assert.equal(code, 0);
  assert.ok(report, 'the child printed its report');
  return report;
}

for (const kind of selectedKinds()) {
  describe(`refs scan resumes after kill -9 on ${kind}`, () => {
    let w: ExampleWorld;
    before(async () => {
      w = await buildExampleWorld(kind, { docs: 3000, orphans: 40, seed: 'resume' });
    });
    after(async () => w?.cleanup());

    test('the resumed scan reports what an uninterrupted scan reports', async () => {
      const reference = exampleReferences.find((r) => r.name === 'tasks.caseId')!;
      const batch = 100;
      // A checkpoint a second, so there is one mid-scan to kill after: at the default (five
      // seconds) a scan of a few seconds saves only after its first and last batches.
      const { proc, lines } = startChild(w, reference.name, { rate: 400, batch, checkpointEveryMs: 1000 });
      let seen = 0;
      for await (const line of lines) {
        seen = (JSON.parse(line) as { checkpoint: number }).checkpoint;
        if (seen >= 2 * batch) break;
      }
      proc.kill('SIGKILL');
      await once(proc, 'exit');
      const saved = await w.ledger.checkpoints.load(scanJobName(reference.name));
      assert.ok(saved, 'the killed scan left a checkpoint');
      const savedCounters = saved.counters as { scanned: number };
      assert.ok(savedCounters.scanned >= seen && savedCounters.scanned < w.manifest.counts.tasks);

      // The killed holder's lease blocks the segment until it expires: the rerun waits that long.
      const started = Date.now();
      const resumed = await scanReference(w.input(reference, { batch, waitForLease: true }));
      assert.ok(Date.now() - started < leaseTtlMs * 3, 'waited for the dead lease to lapse, no longer');
      assert.equal(resumed.resumed, true);
      assert.equal(resumed.scanId, saved.scanId);
      assert.equal(await w.ledger.checkpoints.load(scanJobName(reference.name)), undefined);

      const uninterrupted = await scanReference(w.input(reference, { batch }));
      assert.equal(uninterrupted.resumed, false);
      assert.deepEqual(outcome(resumed), outcome(uninterrupted));
      assert.equal(uninterrupted.scanned, w.manifest.counts.tasks);
      assert.equal(uninterrupted.orphans, injectedOrphans(w.manifest, reference).length);
      const incidents = await w.incidents({ subject: reference.name });
      assert.deepEqual(incidents.map((i) => String(i.key)).sort(), injectedOrphans(w.manifest, reference));
    });

    test('two processes on segments 0/2 and 1/2 report together what one process reports', async () => {
      const reference = exampleReferences.find((r) => r.name === 'case_events.caseId')!;
      const batch = 200;
      const children = [0, 1].map((index) =>
        startChild(w, reference.name, { batch, segment: { index, total: 2 } }),
      );
      const parts = await Promise.all(children.map(({ proc, lines }) => reportOf(proc, lines)));
      const whole = await scanReference(w.input(reference, { batch }));
      for (const name of [
        'scanned',
        'ok',
        'nulls',
        'absent',
        'orphans',
        'typeMismatches',
        'missingRequired',
      ] as const)
        assert.equal(parts[0]![name] + parts[1]![name], whole[name], name);
      assert.deepEqual(
        parts.flatMap((p) => p.orphanSample.map(String)).sort(),
        [...whole.orphanSample].map(String).sort(),
      );
      assert.equal(whole.scanned, w.manifest.counts.case_events);
      const incidents = await w.incidents({ subject: reference.name, status: 'open' });
      assert.deepEqual(incidents.map((i) => String(i.key)).sort(), injectedOrphans(w.manifest, reference));
    });
  });
}
