import { StewardError } from '../../src/errors/steward-error.js';
import { scanReference } from '../../src/integrity/scan/scan-reference.js';
import { openLedger } from '../../src/ledger/ledger.js';
import type { PhaseResult } from '../measure-phase.js';
import {
  expectedOrphans,
  loadRefsWorkload,
  refsReference,
  refsSourceSpec,
  refsTargetSpec,
} from '../refs-workloads.js';
import type { Scenario } from '../scenario.js';
import { expectAll, writeBaseline } from '../task-workloads.js';

/** Documents the naive phase looks up one by one: enough for a steady rate, short enough to wait for. */
const naiveSample = { sqlite: 10_000, mongodb: 200, dynamodb: 1_000 } as const;

/**
 * `refs scan` of one reference (N sources, N/5 targets, one orphan per thousand) in its default
 * batches of 1000, with its checkpoints and incidents in the same store, as a ratio to the
 * driver's full scan of N documents of the same shape, measured in the same run (and, where the
 * driver has them, to its scan projected on the reference's field, to the whole job by hand with the
 * driver (DynamoDB: the target's keys into a Set, the source's field looked up in it) and to a SQL
 * anti-join); then the naive
 * way, reading the source and one getMany per document, on a sample, to show what batching the
 * lookups buys (the log prints the speedup).
 */
export const scenario: Scenario = {
  description:
    'refs scan of N sources into N/5 targets, ratio to baseline-scan; naive per-document lookups on a sample',
  async run(context) {
    const store = await context.seam();
    context.log(
      `loading ${context.options.docs} sources and ${context.options.docs / 5} targets, and the driver's copy (not measured)`,
    );
    await writeBaseline(context);
    await loadRefsWorkload(context, store);
    const ledger = await openLedger(store, { actor: 'bench', namespacePrefix: 'bench_refs_' });
    const source = store.collection(refsSourceSpec);
    const target = store.collection(refsTargetSpec(store));
    const driver = await context.baseline();
    try {
      const baselines: PhaseResult[] = [];
      const antiJoins: PhaseResult[] = [];
      const projected: PhaseResult[] = [];
      const orphanChecks: PhaseResult[] = [];
      const scans: PhaseResult[] = [];
      for (let round = 0; round < context.options.rounds; round++) {
        baselines.push(
          expectAll(context, await context.measure('baseline-scan', (phase) => driver.scan(phase.poll))),
        );
        const scanFields = driver.scanFields?.bind(driver);
        if (scanFields)
          projected.push(
            expectAll(
              context,
              await context.measure('baseline-scan-projected', (phase) =>
                scanFields([refsReference.field], phase.poll),
              ),
            ),
          );
        const orphanCheck = driver.orphanCheck?.bind(driver);
        if (orphanCheck)
          orphanChecks.push(
            await context.measure('baseline-orphan-check', async (phase) => {
              const orphans = await orphanCheck(
                refsSourceSpec.name,
                refsTargetSpec(store).name,
                refsReference.field,
                phase.poll,
              );
              if (orphans !== expectedOrphans(context.options.docs))
                throw new StewardError('store.failed', `the driver's orphan check found ${orphans} orphans`);
              return context.options.docs;
            }),
          );
        const antiJoin = driver.antiJoin?.bind(driver);
        if (antiJoin)
          antiJoins.push(
            await context.measure('baseline-anti-join', async () => {
              const orphans = await antiJoin(refsSourceSpec.name, refsTargetSpec(store).name, 'caseId');
              if (orphans !== expectedOrphans(context.options.docs))
                throw new StewardError('store.failed', `the anti-join found ${orphans} orphans`);
              return context.options.docs;
            }),
          );
        const measured = await context.measure('refs-scan', async (phase) => {
          const report = await phase.time(() =>
            scanReference({
              reference: refsReference,
              source,
              target,
              ledger,
              holder: `bench-${process.pid}`,
              restart: true,
              onEvent: () => phase.poll(),
            }),
          );
          if (report.orphans !== expectedOrphans(context.options.docs))
            throw new StewardError(
              'store.failed',
              `refs scan found ${report.orphans} orphans, expected ${expectedOrphans(context.options.docs)}`,
            );
          context.log(
            `refs scan: ${report.lookups} lookups in ${report.batches} batches, ${report.orphans} orphans`,
          );
          return report.scanned;
        });
        scans.push(expectAll(context, measured));
      }
      context.compare(scans, baselines);
      if (projected.length > 0) context.compare(scans, projected);
      if (orphanChecks.length > 0) context.compare(scans, orphanChecks);
      if (antiJoins.length > 0) context.compare(scans, antiJoins);
      const sample = Math.min(context.options.docs, naiveSample[context.options.store]);
      const naive = await context.measure('naive-lookups', async (phase) => {
        // The same work done the naive way: read the source, and one getMany per document.
        let looked = 0;
        let after: string | null = null;
        do {
          const page = await phase.time(() => source.scan({ limit: 1000, after }));
          for (const doc of page.docs.slice(0, sample - looked)) {
            await phase.time(() => target.getMany([doc.caseId as string]));
            looked++;
            phase.poll();
          }
          after = page.next;
        } while (after && looked < sample);
        return looked;
      });
      const rates = scans.map((p) => p.docsPerSec).sort((a, b) => a - b);
      const median = rates[Math.floor(rates.length / 2)] ?? 0;
      context.log(
        `speedup of refs scan (median round, ${median} docs/s) over one lookup per document ` +
          `(${naive.docsPerSec} docs/s on ${naive.docs} documents, source reads included): ` +
          `${(median / naive.docsPerSec).toFixed(1)}x`,
      );
    } finally {
      if (!context.options.keep) {
        await ledger.drop();
        await store.dropCollection(refsSourceSpec);
        await store.dropCollection(refsTargetSpec(store));
      }
    }
  },
};
