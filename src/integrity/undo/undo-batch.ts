import type { JsonObject } from '../../core/json.js';
import type { AuditEntry } from '../../ledger/audit-chain.js';
import type { Incident } from '../../ledger/incidents.js';
import { type Collection, type DocKey, keyId, type WriteOp, type WriteResult } from '../../stores/store.js';
import type { RepairContext } from '../repair/repair-context.js';
import {
  type CurrentDoc,
  decideUndo,
  docRef,
  keysToRead,
  type StoredImage,
  type UndoDecision,
} from './undo-decision.js';
import type { UndoItem, UndoStatus } from './undo-report.js';

/** What every batch of one undo shares. */
export interface UndoScope {
  readonly run: string;
  readonly undo: string;
  readonly reference: string;
  readonly backups: Collection;
  readonly incidents: Collection;
  readonly force: boolean;
  readonly dryRun: boolean;
  readonly now: () => string;
}

/** What one batch did: an item per image, and how many of the run's incidents are open again. */
export interface UndoBatchResult {
  readonly items: UndoItem[];
  readonly reopened: number;
}

/**
 * Puts back one batch of a run's before-images: reads the documents concerned (one getMany per
 * collection), decides each image (see `undo-decision.ts`), writes what is to be put back (one
 * bulk write per collection), audits the writes (one append), then records on every image what
 * this undo did with it and reopens the incidents the run had closed. In that order, so an undo
 * killed anywhere redoes the batch to the same end: a document already put back reads as
 * `restored`, and an image this undo already recorded keeps its recorded outcome.
 */
export async function undoBatch(
  ctx: RepairContext,
  scope: UndoScope,
  images: readonly StoredImage[],
): Promise<UndoBatchResult> {
  const known: UndoItem[] = [];
  const open: StoredImage[] = [];
  for (const image of images) {
    const mark = markOf(image);
    if (mark?.undo === scope.undo) known.push(item(image, mark.status, mark.note));
    else if (mark && (mark.status === 'restored' || mark.status === 'forced'))
      known.push(item(image, 'undone-before', `put back by undo ${mark.undo} at ${mark.at}`));
    else open.push(image);
  }
  const current = await readCurrent(ctx, open);
  const decided = open.map((image) => ({ image, decision: decideUndo(image, current, scope.force) }));
  if (scope.dryRun) return { items: [...known, ...decided.map(dryRunItem)], reopened: 0 };

  const results = await writeAll(ctx, decided);
  const items = decided.map(({ image, decision }, n) => outcome(image, decision, results[n]!));
  await ctx.ledger.audit.appendMany(auditOf(scope, decided, items));
  await markImages(scope, items);
  const reopened = await reopenIncidents(scope, [...known, ...items]);
  return { items: [...known, ...items], reopened };
}

interface Mark {
  readonly undo: string;
  readonly status: UndoStatus;
  readonly at: string;
  readonly note?: string;
}

function markOf(image: StoredImage): Mark | undefined {
  const mark = image.undone;
  return mark && typeof mark.undo === 'string' ? (mark as unknown as Mark) : undefined;
}

/** The documents the batch's undos read, one getMany per collection, in parallel. */
async function readCurrent(ctx: RepairContext, images: readonly StoredImage[]): Promise<CurrentDoc> {
  const byCollection = new Map<string, DocKey[]>();
  for (const image of images) {
    const { collection, keys } = keysToRead(image);
    byCollection.set(collection, [...(byCollection.get(collection) ?? []), ...keys]);
  }
  const found = new Map<string, JsonObject>();
  await Promise.all(
    [...byCollection].map(async ([collection, keys]) => {
      const docs = await ctx.collection(collection).getMany(keys);
      for (const key of keys) {
        const doc = docs.get(keyId(key));
        if (doc) found.set(docRef(collection, key), doc);
      }
    }),
  );
  return (collection, key) => found.get(docRef(collection, key));
}

/** Every write of the batch, one bulk write per collection; the results per image, in order. */
async function writeAll(
  ctx: RepairContext,
  decided: readonly { image: StoredImage; decision: UndoDecision }[],
): Promise<WriteResult[][]> {
  const byCollection = new Map<string, { op: WriteOp; image: number }[]>();
  decided.forEach(({ decision }, image) => {
    if (decision.kind !== 'write') return;
    for (const w of decision.writes)
      byCollection.set(w.collection, [...(byCollection.get(w.collection) ?? []), { op: w.op, image }]);
  });
  const results: WriteResult[][] = decided.map(() => []);
  await Promise.all(
    [...byCollection].map(async ([collection, writes]) => {
      const written = await ctx.collection(collection).write(writes.map((w) => w.op));
      writes.forEach((w, n) => {
        results[w.image]!.push(written[n] ?? { status: 'failed', reason: 'no result' });
      });
    }),
  );
  return results;
}

/** The item of one image from its decision and the results of its writes. Pure. */
function outcome(image: StoredImage, decision: UndoDecision, results: readonly WriteResult[]): UndoItem {
  if (decision.kind !== 'write') return item(image, decision.kind, decision.note);
  const failed = results.find((r) => r.status === 'failed');
  if (failed?.status === 'failed') return item(image, 'failed', failed.reason);
  // A delete finding nothing: the rehydrated target is gone already, as the undo wants.
  const refused = results.find((r) => r.status === 'conflict' || r.status === 'exists');
  if (refused)
    return item(image, 'conflict', 'the document changed between the read and the write; left as it is');
  const missing = results.some((r, n) => r.status === 'missing' && decision.writes[n]?.op.type !== 'delete');
  if (missing) return item(image, 'conflict', 'the document was deleted between the read and the write');
  return item(image, decision.forced ? 'forced' : 'restored', decision.note);
}

function dryRunItem({ image, decision }: { image: StoredImage; decision: UndoDecision }): UndoItem {
  if (decision.kind !== 'write') return item(image, decision.kind, decision.note);
  const note = decision.forced ? `would overwrite: ${decision.note}` : 'would put the before-image back';
  return item(image, 'planned', note);
}

function item(image: StoredImage, status: UndoStatus, note?: string): UndoItem {
  return {
    image: image.id,
    incident: image.incident,
    action: image.action,
    collection: image.collection,
    key: image.key,
    status,
    ...(note ? { note } : {}),
  };
}

/**
 * One audit record per document put back, and per document found already put back that this
 * undo has not recorded yet: an undo killed between its writes and its audit finds them so, and
 * they get their record then (at worst twice, never zero times). Conflicts left alone change
 * nothing and are not audited.
 */
function auditOf(
  scope: UndoScope,
  decided: readonly { image: StoredImage; decision: UndoDecision }[],
  items: readonly UndoItem[],
): AuditEntry[] {
  return items.flatMap((it, n) => {
    if (it.status !== 'restored' && it.status !== 'forced') return [];
    const decision = decided[n]!.decision;
    const details: JsonObject = {
      run: scope.run,
      undo: scope.undo,
      incident: it.incident,
      action: it.action,
      collection: it.collection,
      key: it.key,
      backup: it.image,
      forced: it.status === 'forced',
      written: decision.kind === 'write',
      ...(it.note ? { note: it.note } : {}),
    };
    return [{ action: 'refs.repair.undo', subject: scope.reference, details }];
  });
}

/** Records on each image what this undo did with it (one bulk write). */
async function markImages(scope: UndoScope, items: readonly UndoItem[]): Promise<void> {
  if (items.length === 0) return;
  const at = scope.now();
  const ops: WriteOp[] = items.map((it) => ({
    type: 'patch',
    key: it.image,
    set: { undone: { undo: scope.undo, status: it.status, at, ...(it.note ? { note: it.note } : {}) } },
  }));
  await scope.backups.write(ops);
}

/**
 * Reopens the incidents the run closed whose documents are put back: the orphan is there again,
 * and the next repair (or a person) decides anew. Conditional on the incident's revision; an
 * incident a scan reopened meanwhile, or another run closed, is left alone. Returns how many of
 * the batch's incidents this undo has reopened (now or before a kill), so a redone batch counts
 * the same.
 */
async function reopenIncidents(scope: UndoScope, items: readonly UndoItem[]): Promise<number> {
  const put = items.filter((it) => it.status === 'restored' || it.status === 'forced');
  const ids = [...new Set(put.map((it) => it.incident))];
  if (ids.length === 0) return 0;
  const found = await scope.incidents.getMany(ids);
  const ops: WriteOp[] = [];
  let reopened = 0;
  for (const id of ids) {
    const incident = found.get(keyId(id)) as unknown as Incident | undefined;
    if (!incident) continue;
    if (incident.status === 'open') {
      if ((incident as unknown as JsonObject).undoneBy === scope.undo) reopened++;
      continue;
    }
    if (incident.resolution?.run !== scope.run) continue;
    reopened++;
    ops.push({
      type: 'patch',
      key: id,
      set: { status: 'open', undoneBy: scope.undo, undoneAt: scope.now(), revision: incident.revision + 1 },
      unset: ['resolution', 'closedAt'],
      expect: { field: 'revision', value: incident.revision },
    });
  }
  if (ops.length === 0) return reopened;
  const results = await scope.incidents.write(ops);
  return reopened - results.filter((r) => r.status !== 'ok').length;
}
