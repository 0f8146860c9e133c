/**
 * What a refs scan asks of the ledger (issue 17: on DynamoDB each ledger request costs about a
 * millisecond of client CPU, and a scan of 100k made about 45 of them): a checkpoint about every
 * five seconds, not every second; a checkpoint deleted at the end without reading it again; no
 * checkpoint save after re-verifying when nothing was closed; and an incident this scan already
 * recorded not written again. Counted on the ledger's collections of a real store (the calls pass
 * through), on every selected store. The resume tests (`scan-resume.test.ts`,
 * `scan-grouped-lookups.test.ts`) show the scan still resumes.
 */
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { after, before, describe, test } from 'node:test';
import type { ResolvedReference } from '../../src/integrity/reference.js';
import { scanReference } from '../../src/integrity/scan/scan-reference.js';
import {
  type Finding,
  type Incident,
  incidentId,
  listIncidents,
  recordFindings,
} from '../../src/ledger/incidents.js';
import type { Ledger } from '../../src/ledger/ledger.js';
import type { Collection } from '../../src/stores/store.js';
import { openReferenceWorld, type ReferenceWorld } from '../support/reference-world.js';
import { selectedKinds } from '../support/test-stores.js';

const pages = 30;
const batch = 50;

/** Counts the reads (`getMany`) and written operations (`write`) through a collection handle. */
function countCalls(collection: Collection): { reads: number; writes: number } {
  const counts = { reads: 0, writes: 0 };
  const getMany = collection.getMany.bind(collection);
  const write = collection.write.bind(collection);
  Object.assign(collection, {
    getMany: (...args: Parameters<Collection['getMany']>) => {
      counts.reads++;
      return getMany(...args);
    },
    write: (...args: Parameters<Collection['write']>) => {
      counts.writes += args[0].length;
      return write(...args);
    },
  });
  return counts;
}

/** Every incident as stored, by id. */
async function incidentRecords(incidents: Collection): Promise<Map<string, Incident>> {
  const all = new Map<string, Incident>();
  for await (const incident of listIncidents(incidents)) all.set(incident.id, incident);
  return all;
}

for (const kind of selectedKinds()) {
  describe(`refs scan ledger requests on ${kind}`, () => {
    let world: ReferenceWorld;
    let source: Collection;
    let target: Collection;
    let reference: ResolvedReference;

    before(async () => {
      world = await openReferenceWorld(kind, {
        name: 'lr',
        targets: 100,
        sources: pages * batch,
        orphan: (i) => i % batch === 7,
      });
      ({ source, target, reference } = world);
    });
    after(async () => {
      await world?.cleanup();
    });

    const newLedger = () => world.newLedger();

    function scan(ledger: Ledger, more: { rate?: number; onCheckpoint?: () => void } = {}) {
      return scanReference({
        reference,
        source,
        target,
        ledger,
        holder: `test-${process.pid}`,
        batch,
        ...(more.rate ? { rate: more.rate } : {}),
        onEvent: (event) => {
          if (event.type === 'checkpoint') more.onCheckpoint?.();
        },
      });
    }

    test('a checkpoint after the first batch, then about every five seconds, and after the last', async () => {
      let checkpoints = 0;
      const started = performance.now();
      // 1,500 documents at 500 a second (a second's worth at once): a scan of about two seconds.
      const report = await scan(await newLedger(), { rate: 500, onCheckpoint: () => checkpoints++ });
      const elapsed = performance.now() - started;
      assert.equal(report.scanned, pages * batch);
      assert.ok(elapsed > 1000, `the rate limit made the scan last ${elapsed} ms`);
      assert.ok(
        checkpoints <= 2 + Math.floor(elapsed / 5000),
        `${checkpoints} checkpoints in ${Math.round(elapsed)} ms`,
      );
      assert.ok(checkpoints >= 2, `${checkpoints} checkpoints: the first and the last batch's at least`);
    });

    test('a rescan that closes nothing saves no checkpoint after re-verifying and deletes it without reading it', async () => {
      const ledger = await newLedger();
      const first = await scan(ledger);
      const counts = countCalls(ledger.checkpoints.collection);
      let checkpoints = 0;
      const rescan = await scan(ledger, { onCheckpoint: () => checkpoints++ });
      assert.equal(rescan.orphans, first.orphans);
      assert.equal(rescan.incidents.closed, 0);
      // One read: the claim before resuming. Writes: each checkpoint the scan reported, and the delete.
      assert.equal(counts.reads, 1, `${counts.reads} reads of the checkpoint`);
      assert.equal(counts.writes, checkpoints + 1, `${counts.writes} writes for ${checkpoints} checkpoints`);
      assert.equal(await ledger.checkpoints.load('refs-scan:lr.caseId:0/1'), undefined);
    });

    test('a rescan leaves the open incidents it finds unchanged as they are, and does not re-verify them', async () => {
      const ledger = await newLedger();
      const first = await scan(ledger);
      assert.equal(first.incidents.opened, pages);
      const incidents = ledger.collection('incidents');
      const before = await incidentRecords(incidents);
      const rescan = await scan(ledger);
      assert.equal(rescan.orphans, first.orphans);
      assert.deepEqual(rescan.incidents, { opened: 0, updated: pages, closed: 0, stillOpen: 0 });
      // Not written: the same revision, last sighting and scan id.
      assert.deepEqual(await incidentRecords(incidents), before);
      // Fixed behind the scan's back: the next scan closes it, as before.
      await source.write([{ type: 'patch', key: 's00007', set: { caseId: 'c7' } }]);
      const third = await scan(ledger);
      assert.equal(third.orphans, first.orphans - 1);
      assert.equal(third.incidents.closed, 1);
    });

    test('an incident this scan already recorded is not written again', async () => {
      const ledger = await newLedger();
      const incidents = await ledger.openCollection('incidents');
      const finding: Finding = {
        kind: 'orphan',
        subject: 'lr.caseId',
        collection: source.spec.name,
        key: 's00007',
        field: 'caseId',
        detail: { missing: ['gone7'] },
      };
      await recordFindings(incidents, [finding], 'scan-a', '2026-01-01T00:00:00.000Z');
      const counts = countCalls(incidents);
      const again = await recordFindings(incidents, [finding], 'scan-a', '2026-01-01T00:00:05.000Z');
      assert.deepEqual(again, { opened: 0, updated: 1 });
      assert.equal(counts.writes, 0);
      const id = incidentId(finding.subject, finding.key);
      const stored = (await incidents.getMany([id])).values().next().value as unknown as Incident;
      assert.equal(stored.lastSeenAt, '2026-01-01T00:00:00.000Z');
      // Another scan, or another detail, still updates it.
      await recordFindings(incidents, [finding], 'scan-b', '2026-01-01T00:00:09.000Z');
      await recordFindings(
        incidents,
        [{ ...finding, detail: { missing: ['gone8'] } }],
        'scan-b',
        '2026-01-01T00:00:10.000Z',
      );
      assert.equal(counts.writes, 2);
      const updated = (await incidents.getMany([id])).values().next().value as unknown as Incident;
      assert.deepEqual(updated.detail, { missing: ['gone8'] });
      assert.equal(updated.scanId, 'scan-b');
    });
  });
}
