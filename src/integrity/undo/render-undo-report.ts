import { formatCount } from '../../core/format-count.js';
import { renderKey } from '../../core/key-text.js';
import type { DocKey } from '../../stores/store.js';
import { type UndoItem, type UndoReport, undoStatuses } from './undo-report.js';

/** Items printed; the rest are counted, and all are in `--json`. */
const maxItemLines = 50;

/** Keys in the one form every report prints (see `renderKey`). */
const key = (k: DocKey): string => renderKey(k);

/** The human-readable lines of an undo, as `refs repair --undo` prints them. Pure. */
export function renderUndoReport(report: UndoReport): string[] {
  const head = report.dryRun ? 'dry run of the undo of' : report.resumed ? 'undo (resumed) of' : 'undo of';
  const lines = [
    `${head} repair run ${report.run} (${report.reference})${report.dryRun ? '' : `: ${report.undo}`}`,
  ];
  const shown = report.items.filter(
    (i) => i.status !== 'undone-before' || report.items.length <= maxItemLines,
  );
  for (const item of shown.slice(0, maxItemLines)) lines.push(`  ${itemLine(item)}`);
  if (shown.length > maxItemLines)
    lines.push(`  ... and ${formatCount(shown.length - maxItemLines)} more (all of them with --json)`);
  const counts = undoStatuses
    .filter((s) => report.counts[s] > 0)
    .map((s) => `${formatCount(report.counts[s])} ${s}`)
    .join(', ');
  const reopened = report.reopened > 0 ? `; ${formatCount(report.reopened)} incidents open again` : '';
  if (report.status === 'paused')
    lines.push(
      `undo stopped at a batch boundary (${counts || 'nothing yet'}); run the same command again to resume`,
    );
  else
    lines.push(
      `${report.dryRun ? 'dry run, nothing written: ' : 'undo: '}${counts || 'nothing to put back'}${reopened}`,
    );
  if (report.counts.conflict > 0 && !report.dryRun)
    lines.push(
      `conflicts were left as they are; to put them back anyway: steward refs repair --undo ${report.run} --force`,
    );
  return lines;
}

function itemLine(item: UndoItem): string {
  const note = item.note ? ` (${item.note})` : '';
  return `${item.status.padEnd(13)} ${item.action.padEnd(9)} ${item.collection} ${key(item.key)}${note}`;
}
