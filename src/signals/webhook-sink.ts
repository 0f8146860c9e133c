import { setTimeout as sleep } from 'node:timers/promises';
import type { ResolvedWebhook } from '../config/resolve-signals.js';
import type { IntegrityEvent } from './integrity-event.js';
import type { SignalSink } from './signal-sink.js';

export interface WebhookOptions extends ResolvedWebhook {
  /** Wait before the first retry, doubled for each next one. Default 250. */
  readonly retryDelayMs?: number;
}

/**
 * POSTs each batch of events as `{"events": [...]}` (JSON) to a URL. Network errors, timeouts,
 * 429 and 5xx answers are retried with a doubling wait; other 4xx answers mean the request itself
 * is wrong and are not retried. When every attempt failed it throws, and the caller warns.
 */
export class WebhookSink implements SignalSink {
  readonly name = 'webhook';

  constructor(private readonly options: WebhookOptions) {}

  async deliver(events: readonly IntegrityEvent[]): Promise<void> {
    if (events.length === 0) return;
    const body = JSON.stringify({ events });
    const attempts = this.options.retries + 1;
    let reason = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const outcome = await this.post(body);
      if (outcome.ok) return;
      reason = outcome.reason;
      if (!outcome.retry) break;
      if (attempt < attempts) await sleep((this.options.retryDelayMs ?? 250) * 2 ** (attempt - 1));
    }
    throw new Error(`POST ${this.options.url} failed: ${reason}`);
  }

  private async post(body: string): Promise<{ ok: true } | { ok: false; retry: boolean; reason: string }> {
    try {
      const response = await fetch(this.options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...this.options.headers },
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      await response.body?.cancel();
      if (response.ok) return { ok: true };
      const retry = response.status === 429 || response.status >= 500;
      return { ok: false, retry, reason: `HTTP ${response.status}` };
    } catch (error) {
      const name = (error as Error).name;
      const reason =
        name === 'TimeoutError' ? `no answer within ${this.options.timeoutMs} ms` : causeOf(error);
      return { ok: false, retry: true, reason };
    }
  }
}

/** fetch wraps network errors as "fetch failed"; the cause says what happened (ECONNREFUSED...). */
function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
