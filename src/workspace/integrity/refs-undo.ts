import type { ResolvedConfig } from '../../config/resolved-config.js';
import { type UndoInput, undoRepairRun } from '../../integrity/undo/undo-repair-run.js';
import type { UndoReport } from '../../integrity/undo/undo-report.js';
import { actorOf, type RunOptions } from '../run-options.js';
import { selectReferences } from './select-references.js';
import { withIntegrity } from './with-integrity.js';

/** Which repair run to undo, and how. */
export type RefsUndoInput = Pick<UndoInput, 'run' | 'force' | 'dryRun' | 'batchSize'>;

/**
 * Undoes a repair run (its id is in the repair report): puts its before-images back a batch at a
 * time under the reference's repair lease, checkpointed and audited; a document changed since the
 * repair is a conflict left alone unless `force`; incidents the run closed reopen. The run names
 * its reference, so every declared store is opened. Aborting `signal` stops it at the next batch
 * boundary (status `paused`); the same call resumes.
 */
export function refsUndo(
  config: ResolvedConfig,
  input: RefsUndoInput,
  options: RunOptions = {},
): Promise<UndoReport> {
  const actor = actorOf(options);
  return withIntegrity(config, selectReferences([], config), actor, (opened) =>
    undoRepairRun(
      {
        ledger: opened.ledger,
        collection: opened.collection,
        approvers: config.approvers,
        approvalPolicies: config.approvalPolicies,
        actor,
      },
      { ...input, ...(options.signal ? { signal: options.signal } : {}) },
    ),
  );
}
