import type { ResolvedSignals } from '../config/resolve-signals.js';
import { JsonlSink } from '../signals/jsonl-sink.js';
import type { SignalSink } from '../signals/signal-sink.js';
import type { SignalWarning } from '../signals/signals.js';
import { WebhookSink } from '../signals/webhook-sink.js';

/**
 * What a downstream pipeline needs to know after apply or rollback: which collections changed,
 * from which schema version to which, by which migration and plan. One event per migration and
 * direction; it is JSON as it stands, so it is written as a line or POSTed unchanged.
 */
export interface LineageEvent {
  readonly type: 'migration.applied' | 'migration.rolled-back';
  readonly migration: string;
  readonly planHash: string;
  readonly collections: readonly LineageCollection[];
  /** ISO 8601 time the stage finished. */
  readonly at: string;
  /** Who ran it, as the audit log records them. */
  readonly actor?: string;
}

export interface LineageCollection {
  readonly collection: string;
  /** The store holding it, by its name in the config. */
  readonly store: string;
  readonly fromVersion: number;
  readonly toVersion: number;
  /** Documents rewritten in this collection. */
  readonly documents: number;
}

/**
 * Delivers lineage events to the sinks configured under `migrations.lineage` (the same JSON-lines
 * and webhook sinks as integrity signals) and waits for them. A sink that fails after its retries
 * becomes a warning in the result, never an error: a migration that finished has finished, and a
 * dead webhook must not make it look otherwise. No sinks configured: nothing is sent.
 */
export async function publishLineage(
  settings: ResolvedSignals,
  events: readonly LineageEvent[],
): Promise<SignalWarning[]> {
  if (events.length === 0) return [];
  const sinks: SignalSink[] = [];
  if (settings.jsonl) sinks.push(new JsonlSink(settings.jsonl));
  if (settings.webhook) sinks.push(new WebhookSink(settings.webhook));
  const warnings: SignalWarning[] = [];
  await Promise.all(
    sinks.map(async (sink) => {
      try {
        // The sinks are typed for integrity events but only serialise what they get as JSON.
        await sink.deliver(events as unknown as Parameters<SignalSink['deliver']>[0]);
      } catch (error) {
        warnings.push({ sink: sink.name, events: events.length, message: (error as Error).message });
      }
    }),
  );
  return warnings;
}

/** The lineage event of one migration's apply or rollback. Pure. */
export function lineageEvent(input: {
  readonly direction: 'up' | 'down';
  readonly migration: { readonly id: string; readonly fromVersion: number; readonly targetVersion: number };
  readonly planHash: string;
  /** Each collection the stage rewrote, its store and how many documents changed. */
  readonly collections: readonly {
    readonly collection: string;
    readonly store: string;
    readonly documents: number;
  }[];
  readonly at: string;
  readonly actor?: string;
}): LineageEvent {
  const { direction, migration } = input;
  const [from, to] =
    direction === 'up'
      ? [migration.fromVersion, migration.targetVersion]
      : [migration.targetVersion, migration.fromVersion];
  return {
    type: direction === 'up' ? 'migration.applied' : 'migration.rolled-back',
    migration: migration.id,
    planHash: input.planHash,
    collections: input.collections.map((c) => ({ ...c, fromVersion: from, toVersion: to })),
    at: input.at,
    ...(input.actor === undefined ? {} : { actor: input.actor }),
  };
}
