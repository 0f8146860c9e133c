import { parseFilter } from '../../core/filter.js';
import type { JsonObject } from '../../core/json.js';
import type { Ledger } from '../../ledger/ledger.js';
import { scanDocuments } from '../../stores/scan-pages.js';
import type { Collection, Segment, WriteOp } from '../../stores/store.js';

/**
 * What one completed scan of one segment of a reference saw: the documents read and those with
 * an orphan or an empty required reference. Kept in the ledger's `scans` collection, a few per
 * segment, for repair's circuit breaker (see `integrity/breaker/`), which compares the orphans a
 * repair would act on with the documents scanned, and the latest scan with the previous one.
 */
export interface ScanFigures {
  readonly reference: string;
  readonly scanId: string;
  readonly segment: Segment;
  readonly scanned: number;
  readonly orphans: number;
  readonly completedAt: string;
}

/** Figures kept per reference and segment; older ones are pruned. */
const kept = 5;

async function scansCollection(ledger: Ledger): Promise<Collection> {
  return ledger.openCollection('scans');
}

/**
 * Records a completed scan's figures, insert-only (a scan resumed after a kill records the same
 * key again and keeps the first), then prunes the segment's figures to the newest few.
 */
export async function recordScanFigures(ledger: Ledger, figures: ScanFigures): Promise<void> {
  const scans = await scansCollection(ledger);
  const segment = `${figures.segment.index}/${figures.segment.total}`;
  const doc = {
    ...(figures as unknown as JsonObject),
    [scans.spec.keyField]: `${figures.reference}|${segment}|${figures.scanId}`,
  };
  await scans.write([{ type: 'insert', doc }]);
  const same = (await readFigures(scans, figures.reference))
    .filter((f) => f.segment.index === figures.segment.index && f.segment.total === figures.segment.total)
    .sort((a, b) => b.completedAt.localeCompare(a.completedAt));
  const old: WriteOp[] = same
    .slice(kept)
    .map((f) => ({ type: 'delete', key: `${f.reference}|${segment}|${f.scanId}` }));
  if (old.length > 0) await scans.write(old);
}

/** Every figure recorded for a reference (a few per segment). */
export async function readScanFigures(ledger: Ledger, reference: string): Promise<ScanFigures[]> {
  return readFigures(await scansCollection(ledger), reference);
}

/** The figures of a reference in the opened `scans` collection (opening it again would ask the store again). */
async function readFigures(scans: Collection, reference: string): Promise<ScanFigures[]> {
  const out: ScanFigures[] = [];
  for await (const doc of scanDocuments(scans, { filter: parseFilter({ reference }), limit: 500 })) {
    const { [scans.spec.keyField]: _key, ...figures } = doc;
    out.push(figures as unknown as ScanFigures);
  }
  return out;
}
