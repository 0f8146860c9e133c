/**
 * Why `migrate apply` would not start. A refusal is a result, not an exception: nothing was
 * written to the collections, the refusal is audited, and the CLI turns it into exit 2, except
 * `awaiting-decision` (a gate failed and waits for a person), which is exit 1 like the gate
 * failure itself. A second applier while the lease is held is the `lease.held` error (exit 1).
 */
export type RefusalReason =
  /** An applied migration's file changed or is gone, or a pending one sorts before an applied one. */
  | 'changelog'
  /** A migration names a version its collection's contract does not declare. */
  | 'contracts'
  /** A collection operation cannot be done safely (copy onto documents, renaming the key). */
  | 'operations'
  /** No dry run of this plan is recorded, or the latest one failed: no approval can count. */
  | 'dry-run'
  /**
   * Not enough approvals of this plan hash and its latest dry run's report under the `migrations`
   * policy: missing, invalid, or used up by an earlier run.
   */
  | 'approvals'
  /** Approvals exist, but for another plan: the files or options changed since approval. */
  | 'plan-changed'
  /** A gate failed: `migrate apply --resume` goes on, `migrate rollback` undoes. */
  | 'awaiting-decision'
  /** A rollback has not finished: finish it with `migrate rollback` first. */
  | 'rolling-back'
  /** The changelog says a migration is applying, but apply's checkpoint is gone. */
  | 'checkpoint-missing';

export interface ApplyRefusal {
  readonly reason: RefusalReason;
  /** One paragraph: what is wrong and what to do. */
  readonly message: string;
  /** Every problem found, one per line. */
  readonly problems: readonly string[];
}

export function refusal(
  reason: RefusalReason,
  message: string,
  problems: readonly string[] = [],
): ApplyRefusal {
  return { reason, message, problems };
}

/** The exit code a refusal gets (see above). */
export function refusalExitCode(reason: RefusalReason): 1 | 2 {
  return reason === 'awaiting-decision' ? 1 : 2;
}
