import { appendFile } from 'node:fs/promises';
import type { ResolvedLineage } from '../config/resolve-migrations.js';
import type { RunEvent } from './openlineage-event.js';
import { type PostOptions, postJson } from './post-json.js';
import type { SignalWarning } from './signals.js';

/** Where RunEvents go: a JSON-lines file, an OpenLineage HTTP endpoint. */
export interface LineageTransport {
  /** Named in warnings by its config key: `jsonl`, `webhook`. */
  readonly name: string;
  send(events: readonly RunEvent[]): Promise<void>;
}

/** Appends each RunEvent as one JSON line, in one append per batch so processes do not interleave. */
export class FileTransport implements LineageTransport {
  readonly name = 'jsonl';
  constructor(readonly file: string) {}

  async send(events: readonly RunEvent[]): Promise<void> {
    await appendFile(this.file, events.map((e) => `${JSON.stringify(e)}\n`).join(''), 'utf8');
  }
}

/**
 * POSTs each RunEvent, one per request as the OpenLineage API takes them, to the configured URL
 * (Marquez and other receivers listen on `/api/v1/lineage`). Retries as {@link postJson} does.
 */
export class HttpTransport implements LineageTransport {
  readonly name = 'webhook';
  constructor(private readonly options: PostOptions) {}

  async send(events: readonly RunEvent[]): Promise<void> {
    for (const event of events) await postJson(this.options, JSON.stringify(event));
  }
}

/** The transports the config's `migrations.lineage` names. */
export function lineageTransports(settings: ResolvedLineage): LineageTransport[] {
  const transports: LineageTransport[] = [];
  if (settings.jsonl) transports.push(new FileTransport(settings.jsonl));
  if (settings.webhook) transports.push(new HttpTransport(settings.webhook));
  return transports;
}

/**
 * Sends RunEvents to the transports in the order they were published, in the background, so a
 * migration never waits on a lineage receiver between batches. A transport that fails (after its
 * retries) becomes a warning from {@link LineagePublisher.flush}, never an error: a migration that
 * finished has finished, and a dead receiver must not make it look otherwise.
 */
export class LineagePublisher {
  private chain: Promise<void> = Promise.resolve();
  private warnings: SignalWarning[] = [];

  constructor(private readonly transports: readonly LineageTransport[]) {}

  publish(events: readonly RunEvent[]): void {
    if (events.length === 0 || this.transports.length === 0) return;
    this.chain = this.chain.then(() => this.send(events));
  }

  /** Waits for everything published; returns the transports' failures since the last flush. */
  async flush(): Promise<SignalWarning[]> {
    await this.chain;
    const warnings = this.warnings;
    this.warnings = [];
    return warnings;
  }

  private async send(events: readonly RunEvent[]): Promise<void> {
    await Promise.all(
      this.transports.map(async (t) => {
        try {
          await t.send(events);
        } catch (error) {
          this.warnings.push({ sink: t.name, events: events.length, message: (error as Error).message });
        }
      }),
    );
  }
}
