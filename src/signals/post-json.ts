import { setTimeout as sleep } from 'node:timers/promises';
import type { ResolvedWebhook } from '../config/resolve-signals.js';

export interface PostOptions extends ResolvedWebhook {
  /** Wait before the first retry, doubled for each next one. Default 250. */
  readonly retryDelayMs?: number;
}

/**
 * POSTs a JSON body to the URL. Network errors, timeouts, 429 and 5xx answers are retried with a
 * doubling wait; other 4xx answers mean the request itself is wrong and are not retried. Throws
 * when every attempt failed, saying why; the caller turns that into a warning.
 */
export async function postJson(options: PostOptions, body: string): Promise<void> {
  const attempts = options.retries + 1;
  let reason = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const outcome = await post(options, body);
    if (outcome.ok) return;
    reason = outcome.reason;
    if (!outcome.retry) break;
    if (attempt < attempts) await sleep((options.retryDelayMs ?? 250) * 2 ** (attempt - 1));
  }
  throw new Error(`POST ${options.url} failed: ${reason}`);
}

async function post(
  options: PostOptions,
  body: string,
): Promise<{ ok: true } | { ok: false; retry: boolean; reason: string }> {
  try {
    const response = await fetch(options.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...options.headers },
      body,
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    await response.body?.cancel();
    if (response.ok) return { ok: true };
    const retry = response.status === 429 || response.status >= 500;
    return { ok: false, retry, reason: `HTTP ${response.status}` };
  } catch (error) {
    const name = (error as Error).name;
    const reason = name === 'TimeoutError' ? `no answer within ${options.timeoutMs} ms` : causeOf(error);
    return { ok: false, retry: true, reason };
  }
}

/** fetch wraps network errors as "fetch failed"; the cause says what happened (ECONNREFUSED...). */
function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
