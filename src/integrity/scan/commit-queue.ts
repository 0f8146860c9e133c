/**
 * Runs a job's commits in the background of its next batches: each batch's `record` (its
 * incidents), then its `save` (its checkpoint). Records run one after the other, and so do saves;
 * a batch's save starts only when its own record and the previous save are done. So a checkpoint
 * is never stored before the incidents of every batch it covers, the stored checkpoint only moves
 * forward, and the round trips of one batch's save overlap the next batch's record and lookups
 * instead of adding to them. At most one record and two saves are in flight.
 *
 * A failed commit is reported by the next `queue` or by `flush`; nothing queued after it is saved.
 */
export class CommitQueue {
  private recording: Promise<unknown> = Promise.resolve();
  private saving: Promise<void> = Promise.resolve();
  private failure: { error: unknown } | undefined;

  /** Starts `record` once the previous record is done; returns when it has started. */
  async queue<T>(record: () => Promise<T>, save: (recorded: T) => Promise<void>): Promise<void> {
    await this.recording.catch(() => undefined);
    this.throwIfFailed();
    const recording = record();
    const previousSave = this.saving;
    const saving = recording.then(async (recorded) => {
      await previousSave;
      await save(recorded);
    });
    for (const step of [recording, saving]) step.catch((error: unknown) => this.fail(error));
    this.recording = recording;
    this.saving = saving;
  }

  /** Waits until every queued commit is done; throws the first failure. */
  async flush(): Promise<void> {
    await this.saving.catch(() => undefined);
    this.throwIfFailed();
  }

  private fail(error: unknown): void {
    this.failure ??= { error };
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure.error;
  }
}
