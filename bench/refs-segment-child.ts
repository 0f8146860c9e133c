/**
 * One `refs scan` of the bench reference in its own process, for the `refs-segments` scenario.
 * Opens the store and the ledger, prints `{"ready": true}`, waits for a line on stdin, scans (the
 * whole source, or one segment), then prints `{"scanned", "startedAt", "endedAt"}` with
 * timestamps in ms since the epoch, so the parent times the scans themselves, not the start-up.
 *
 *   node --import tsx bench/refs-segment-child.ts '<json: { store, segment? }>'
 */
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { scanReference } from '../src/integrity/scan/scan-reference.js';
import { openLedger } from '../src/ledger/ledger.js';
import { openStore } from '../src/stores/open-store.js';
import type { Segment } from '../src/stores/store.js';
import type { StoreConfig } from '../src/stores/store-config.js';
import { refsReference, refsSourceSpec, refsTargetSpec } from './refs-workloads.js';

const args = JSON.parse(process.argv[2] ?? '') as { store: StoreConfig; segment?: Segment };
const store = await openStore(args.store);
try {
  const ledger = await openLedger(store, { actor: 'bench', namespacePrefix: 'bench_refs_' });
  const input = {
    reference: refsReference,
    source: store.collection(refsSourceSpec),
    target: store.collection(refsTargetSpec(store)),
    ledger,
    holder: `bench-${process.pid}`,
    restart: true,
    ...(args.segment ? { segment: args.segment } : {}),
  };
  const lines = createInterface({ input: process.stdin });
  process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
  await once(lines, 'line');
  lines.close();
  const startedAt = performance.timeOrigin + performance.now();
  const report = await scanReference(input);
  const endedAt = performance.timeOrigin + performance.now();
  process.stdout.write(
    `${JSON.stringify({ scanned: report.scanned, orphans: report.orphans, startedAt, endedAt })}\n`,
  );
} finally {
  await store.close();
}
