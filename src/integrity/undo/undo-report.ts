import type { DocKey } from '../../stores/store.js';

/**
 * The outcome of one before-image of an undo:
 * - `restored`: the document is as it was before the repair (put back now, or found so);
 * - `forced`: put back over a change made since the repair (`force`);
 * - `conflict`: changed since the repair, so left as it is; `note` says how;
 * - `undone-before`: an earlier undo of the run put it back already;
 * - `failed`: the store refused the write, or the image cannot be put back automatically;
 * - `planned`: a dry run's "would put back".
 */
export type UndoStatus = 'restored' | 'forced' | 'conflict' | 'undone-before' | 'failed' | 'planned';

export const undoStatuses: readonly UndoStatus[] = [
  'restored',
  'forced',
  'conflict',
  'undone-before',
  'failed',
  'planned',
];

export interface UndoItem {
  /** The before-image's id in the ledger's backups. */
  readonly image: string;
  readonly incident: string;
  /** The repair action undone: tombstone, nullify, delete, rehydrate. */
  readonly action: string;
  readonly collection: string;
  readonly key: DocKey;
  readonly status: UndoStatus;
  readonly note?: string;
}

/**
 * The undo of one repair run. `counts` cover the whole undo, across the processes an
 * interrupted undo took (they are checkpointed); `items` are those this process dealt with.
 */
export interface UndoReport {
  /** The repair run undone. */
  readonly run: string;
  /** This undo's own id, recorded on every image it dealt with and in the audit. */
  readonly undo: string;
  readonly reference: string;
  readonly dryRun: boolean;
  /** `paused`: stopped on request at a batch boundary; the same command resumes it. */
  readonly status: 'done' | 'paused';
  /** True when this continued an undo that had stopped part-way. */
  readonly resumed: boolean;
  readonly counts: Readonly<Record<UndoStatus, number>>;
  /** Incidents the run had closed that are open again, for the next repair or a person. */
  readonly reopened: number;
  readonly items: readonly UndoItem[];
}

/** Zero counts. Pure. */
export function noUndoCounts(): Record<UndoStatus, number> {
  return Object.fromEntries(undoStatuses.map((s) => [s, 0])) as Record<UndoStatus, number>;
}

/** True when the undo needs a person: conflicts left, failures, or it stopped part-way. */
export function undoNeedsAttention(report: UndoReport): boolean {
  return report.counts.conflict + report.counts.failed > 0;
}
