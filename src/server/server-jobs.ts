import type { ResolvedConfig } from '../config/resolved-config.js';
import { JobManager, type JobManagerOptions } from '../jobs/job-manager.js';

/**
 * The job manager of one server: the one given, or one opened on first use (so the server starts,
 * and `/readyz` can say so, while the ledger's store is down) and closed with the server, which
 * stops its jobs at their batch boundary as `interrupted` for the next start to resume.
 */
export class ServerJobs {
  private opened: Promise<JobManager> | undefined;

  constructor(
    private readonly config: ResolvedConfig,
    private readonly given: JobManager | undefined,
    private readonly options: JobManagerOptions,
  ) {}

  get(): Promise<JobManager> {
    if (this.given) return Promise.resolve(this.given);
    this.opened ??= JobManager.open(this.config, this.options).catch((error: unknown) => {
      this.opened = undefined;
      throw error;
    });
    return this.opened;
  }

  /** Closes the manager this server opened; one given by the caller is the caller's to close. */
  async close(): Promise<void> {
    const opened = this.opened;
    if (!opened) return;
    this.opened = undefined;
    const manager = await opened.catch(() => undefined);
    await manager?.close();
  }
}
