import { isAbsolute, resolve } from 'node:path';
import { isJsonObject } from '../core/json.js';

/** Where integrity events go, after the config is resolved. */
export interface ResolvedSignals {
  /** Absolute path of a JSON-lines file events are appended to. */
  readonly jsonl?: string;
  readonly webhook?: ResolvedWebhook;
}

export interface ResolvedWebhook {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Per attempt. */
  readonly timeoutMs: number;
  /** Attempts after the first before a delivery is given up with a warning. */
  readonly retries: number;
}

type Problem = (path: string, message: string) => void;
/** Reads a string setting that may come from the environment (`env('HOOK_TOKEN')`). */
type ReadString = (value: unknown, path: string) => string | undefined;

/**
 * Resolves the config's `signals`: where integrity events (orphans found, repairs done) are sent.
 *
 * ```ts
 * signals: {
 *   jsonl: 'integrity-events.jsonl',
 *   webhook: { url: env('STEWARD_HOOK_URL'), headers: { authorization: env('HOOK_TOKEN') }, timeoutMs: 3000 },
 * }
 * ```
 */
export function resolveSignals(
  raw: unknown,
  baseDir: string,
  readString: ReadString,
  problem: Problem,
): ResolvedSignals {
  if (raw === undefined) return {};
  if (!isJsonObject(raw)) {
    problem('signals', "must be { jsonl?: 'events.jsonl', webhook?: { url } }");
    return {};
  }
  for (const key of Object.keys(raw))
    if (key !== 'jsonl' && key !== 'webhook')
      problem(`signals.${key}`, 'is not a known setting (expected jsonl, webhook)');
  const jsonl = readString(raw.jsonl, 'signals.jsonl');
  const webhook = raw.webhook === undefined ? undefined : resolveWebhook(raw.webhook, readString, problem);
  return {
    ...(jsonl === undefined ? {} : { jsonl: isAbsolute(jsonl) ? jsonl : resolve(baseDir, jsonl) }),
    ...(webhook ? { webhook } : {}),
  };
}

function resolveWebhook(raw: unknown, readString: ReadString, problem: Problem): ResolvedWebhook | undefined {
  const path = 'signals.webhook';
  if (!isJsonObject(raw)) {
    problem(path, "must be { url: 'https://...', headers?, timeoutMs?, retries? }");
    return undefined;
  }
  const url = readString(raw.url, `${path}.url`);
  if (url === undefined) problem(`${path}.url`, 'is required');
  else if (!/^https?:\/\/[^\s]+$/.test(url)) problem(`${path}.url`, 'must be an http:// or https:// address');
  const headers: Record<string, string> = {};
  if (raw.headers !== undefined && !isJsonObject(raw.headers))
    problem(`${path}.headers`, 'must be an object of header names and values');
  for (const [name, value] of Object.entries(isJsonObject(raw.headers) ? raw.headers : {})) {
    const text = readString(value, `${path}.headers.${name}`);
    if (text !== undefined) headers[name] = text;
  }
  const timeoutMs = count(raw.timeoutMs, `${path}.timeoutMs`, 5000, 1, problem);
  const retries = count(raw.retries, `${path}.retries`, 3, 0, problem);
  return url === undefined ? undefined : { url, headers, timeoutMs, retries };
}

function count(value: unknown, path: string, fallback: number, min: number, problem: Problem): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number' && Number.isInteger(value) && value >= min) return value;
  problem(path, `must be a whole number of at least ${min}`);
  return fallback;
}
