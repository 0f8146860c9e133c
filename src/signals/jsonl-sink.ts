import { appendFile } from 'node:fs/promises';
import type { IntegrityEvent } from './integrity-event.js';
import type { SignalSink } from './signal-sink.js';

/**
 * Appends each event as one JSON line to a file, for log shippers and `tail -f`. One append per
 * batch, so lines of concurrent steward processes do not interleave mid-line (appends of a few
 * kilobytes are atomic on local filesystems).
 */
export class JsonlSink implements SignalSink {
  readonly name = 'jsonl';

  constructor(readonly file: string) {}

  async deliver(events: readonly IntegrityEvent[]): Promise<void> {
    if (events.length === 0) return;
    await appendFile(this.file, events.map((e) => `${JSON.stringify(e)}\n`).join(''), 'utf8');
  }
}
