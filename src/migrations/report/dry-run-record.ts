import { isJsonObject, type JsonObject } from '../../core/json.js';
import type { Ledger } from '../../ledger/ledger.js';
import { readLedgerDoc, writeLedgerDoc } from '../../ledger/ledger-document.js';
import { changelogCollection } from '../changelog.js';
import type { DryRunReport } from './dry-run-report.js';

/**
 * The latest dry run of a plan, as the ledger knows it: which report (by hash) and whether it
 * passed. Apply and every command that signs a migration approval read it, so an approval counts
 * only for the latest dry run of the plan, and only when that dry run passed. It lives in the
 * ledger, not only in the report file: a report file edited to say "passed" has another hash than
 * the one recorded.
 */
export interface DryRunRecord {
  readonly planHash: string;
  /** SHA-256 of the report's JSON text (see `report-files.ts`). */
  readonly reportHash: string;
  readonly ok: boolean;
  /** When the dry run ran (the report's `createdAt`). */
  readonly createdAt: string;
  /** Where the report was written, for people: the hash, not the file, is what counts. */
  readonly report: string;
}

/**
 * Records a dry run as the latest of its plan (replacing the previous one) and audits it
 * (`migrate.dry-run`). Dry runs of one ledger hold the `migrate.dry-run` lease, so they record
 * one after the other.
 */
export async function recordDryRun(
  ledger: Ledger,
  report: DryRunReport,
  files: { readonly json: string; readonly hash: string },
): Promise<DryRunRecord> {
  const record: DryRunRecord = {
    planHash: report.planHash,
    reportHash: files.hash,
    ok: report.ok,
    createdAt: report.createdAt,
    report: files.json,
  };
  const collection = await changelogCollection(ledger);
  const doc = { [collection.spec.keyField]: recordKey(report.planHash), ...record };
  await writeLedgerDoc(collection, { type: 'replace', doc, upsert: true });
  await ledger.audit.append({
    action: 'migrate.dry-run',
    subject: report.planHash,
    details: { reportHash: files.hash, ok: report.ok, totals: { ...report.totals }, report: files.json },
  });
  return record;
}

/** The latest dry run recorded for a plan; undefined when the plan was never dry-run. */
export async function latestDryRun(ledger: Ledger, planHash: string): Promise<DryRunRecord | undefined> {
  const collection = await changelogCollection(ledger);
  return asRecord(await readLedgerDoc(collection, recordKey(planHash)));
}

/**
 * Its key in the migrations collection, beside the changelog's records (keyed by migration id,
 * which never holds a ":"), so the changelog reader passes over it.
 */
function recordKey(planHash: string): string {
  return `dry-run:${planHash}`;
}

function asRecord(doc: JsonObject | undefined): DryRunRecord | undefined {
  if (!isJsonObject(doc)) return undefined;
  const { planHash, reportHash, ok, createdAt, report } = doc;
  if ([planHash, reportHash, createdAt, report].some((v) => typeof v !== 'string')) return undefined;
  if (typeof ok !== 'boolean') return undefined;
  return { planHash, reportHash, ok, createdAt, report } as DryRunRecord;
}
