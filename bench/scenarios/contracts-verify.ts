import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LoadedContracts, loadContracts } from '../../src/contracts/load-contracts.js';
import { verifyCollection } from '../../src/contracts/verify/verify-collection.js';
import { StewardError } from '../../src/errors/steward-error.js';
import { writeExampleContracts } from '../../src/example/example-contracts.js';
import { scanPages } from '../../src/stores/scan-pages.js';
import type { CollectionSpec } from '../../src/stores/store.js';
import { baselineName } from '../baselines/baseline.js';
import type { Phase, PhaseResult } from '../measure-phase.js';
import type { BenchContext, Scenario } from '../scenario.js';
import { expectAll, seamSpec, writeBaseline, writeSeam } from '../task-workloads.js';

/**
 * `contracts verify` of N task documents against the example's `tasks` contract, as a ratio to the
 * driver's raw scan of the same documents measured in the same run. The seam's plain scan of what
 * verify reads is measured too, so the table shows what validation adds to the scan. Target:
 * verify at least half the raw scan's rate (ratio at most 2).
 */
export const scenario: Scenario = {
  description: 'contracts verify of N task documents, ratio to baseline-scan measured in the same run',
  async run(context) {
    context.log(`loading ${context.options.docs} documents (not measured)`);
    await writeBaseline(context);
    const spec = await verifiedSpec(context);
    const contracts = await exampleContracts();
    const driver = await context.baseline();
    const baselines: PhaseResult[] = [];
    const seams: PhaseResult[] = [];
    const verifies: PhaseResult[] = [];
    for (let round = 0; round < context.options.rounds; round++) {
      baselines.push(
        expectAll(context, await context.measure('baseline-scan', (phase) => driver.scan(phase.poll))),
      );
      seams.push(
        expectAll(context, await context.measure('seam-scan', (phase) => scanSpec(context, spec, phase))),
      );
      verifies.push(
        expectAll(
          context,
          await context.measure('contracts-verify', (phase) =>
            verifyTasks(context, spec, contracts, phase.poll),
          ),
        ),
      );
    }
    context.compare(seams, baselines);
    context.compare(verifies, baselines);
  },
};

/**
 * The collection the seam verifies. On MongoDB and DynamoDB it is the baseline's own collection,
 * read through the seam (the driver stored plain documents keyed by `id`, which the adapters read
 * as any user collection), so both sides read the very same data and nothing else is loaded: on
 * FerretDB loading a second copy through the seam would take minutes. SQLite's adapter keeps its
 * own table layout (a typed key column), so there the documents are loaded through the seam too.
 */
async function verifiedSpec(context: BenchContext): Promise<CollectionSpec> {
  const { config } = context;
  // On DynamoDB the adapter puts the store's tablePrefix in front, as the baseline's driver did.
  if (config.kind === 'mongodb' || config.kind === 'dynamodb') return { name: baselineName, keyField: 'id' };
  context.log('loading the same documents through the seam (not measured)');
  await writeSeam(context);
  return seamSpec;
}

/** Counts every document of a collection through the seam, page by page: the scan alone. */
async function scanSpec(context: BenchContext, spec: CollectionSpec, phase: Phase): Promise<number> {
  const collection = (await context.seam()).collection(spec);
  let seen = 0;
  for await (const page of scanPages(collection, { limit: 1000 })) {
    seen += page.docs.length;
    phase.poll();
  }
  return seen;
}

/** The example's contracts, loaded the way the CLI loads them: written to a folder, then read. */
async function exampleContracts(): Promise<LoadedContracts> {
  const dir = mkdtempSync(join(tmpdir(), 'steward-bench-contracts-'));
  try {
    writeExampleContracts(dir);
    return await loadContracts(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Verifies every document; fails the run unless each was validated and conforms. */
async function verifyTasks(
  context: BenchContext,
  spec: CollectionSpec,
  contracts: LoadedContracts,
  poll: () => void,
): Promise<number> {
  const contract = contracts.contracts.find((c) => c.collection === 'tasks')!;
  const collection = (await context.seam()).collection(spec);
  const report = await verifyCollection(collection, contract, contracts.registry, { onProgress: poll });
  if (report.conforming !== report.scanned) {
    throw new StewardError(
      'store.failed',
      `contracts-verify: ${report.conforming} of ${report.scanned} documents conform; the bench data should all conform`,
    );
  }
  return report.conforming;
}
