import { StewardError } from '../errors/steward-error.js';
import type { MigrationEvent } from '../migrations/apply/migration-events.js';
import type { SignalWarning } from '../signals/signals.js';
import type { CommandContext } from './command.js';

/**
 * Draws apply's and rollback's `progress` events as a progress line per phase (migration, stage,
 * collection): documents read of the store's estimate where the pass reads the collection (canary,
 * rest, census), documents handled where it works from before-images (restore).
 */
export function migrationProgress(ctx: CommandContext): (event: MigrationEvent) => void {
  return (event) => {
    if (event.type !== 'progress') return;
    const { changed, skipped, failed } = event.counts;
    ctx.output.progress(
      `  ${event.migration} ${event.stage} ${event.collection}`,
      event.read ?? changed + skipped + failed,
      event.total,
      true,
    );
  };
}

/** Lineage sinks that did not take the events: a note each, never a changed exit code. */
export function noteLineageWarnings(ctx: CommandContext, warnings: readonly SignalWarning[]): void {
  for (const w of warnings)
    ctx.output.note(`warning: ${w.sink} did not take ${w.events} lineage event(s): ${w.message}`);
}

/**
 * What Ctrl-C (or SIGTERM) during `steward migrate <command>` says: it pauses after the batch in
 * flight, checkpointed, and the same command resumes it.
 */
export const stopNote = (command: 'apply' | 'rollback') => (signal: NodeJS.Signals) =>
  `${signal}: stopping after the batch in flight (checkpointed); run \`steward migrate ${command}\` again to resume`;

/** `--rate N` of apply and rollback; undefined when not given (the config's `migrations.rate` then). */
export function rateOption(ctx: CommandContext): number | undefined {
  const raw = ctx.options.rate;
  if (raw === undefined) return undefined;
  const rate = Number(raw);
  if (typeof raw !== 'string' || !(rate > 0)) {
    throw new StewardError(
      'usage',
      `--rate must be a positive number of documents per second (got "${String(raw)}")`,
    );
  }
  return rate;
}
