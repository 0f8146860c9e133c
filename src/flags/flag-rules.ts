import { allowedIsFixed, changeInProgress, invalidFlagInput, valueNotAllowed } from './flag-errors.js';
import type { FlagGeneration } from './flag-generations.js';

/**
 * The decisions about shape flags, as pure functions over stored generations: which value is in
 * effect, what state each change is in, and what a requested change must write. The store is
 * touched only by `set-shape-flag.ts` and `read-shape-flag.ts`.
 */

/** What happened to one change. `pending`: its audit record is being written; it is not in effect yet. */
export type FlagChangeState = 'applied' | 'pending' | 'abandoned';

/** A change of a flag as history shows it. */
export type FlagChange = FlagGeneration & { readonly state: FlagChangeState };

/** A flag's value in effect: its highest audited generation. */
export interface ShapeFlag {
  readonly name: string;
  readonly value: string;
  readonly generation: number;
  /** When the value was set (ISO 8601) and by whom. */
  readonly since: string;
  readonly by: string;
  readonly reason: string;
  readonly allowed: readonly string[] | null;
  /** The seq of the audit record of the change. */
  readonly auditSeq: number;
}

/** A change request, before it is checked. */
export interface FlagChangeRequest {
  readonly name: string;
  readonly value: string;
  readonly reason: string;
  readonly actor: string;
  /** The values the flag may take; only when it is first set. */
  readonly allowed?: readonly string[];
}

/**
 * How long an unaudited generation blocks other setters, by default. Setting a flag takes a few
 * round trips; after this long its setter is taken to have crashed and the change to be abandoned.
 */
export const defaultPendingTimeoutMs = 60_000;

const namePattern = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;
const valuePattern = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

/** Checks a flag name: letters, digits, `_ . : -`, so it is safe in keys and on a command line. */
export function checkFlagName(name: string): void {
  if (!namePattern.test(name)) {
    throw invalidFlagInput(
      `flag name "${name}"`,
      'is not valid: start with a letter or digit, then up to 127 letters, digits, "_", ".", ":" or "-"',
      { flag: name },
    );
  }
}

/** Checks a request before anything is read or written; returns it with the allowed set normalised. */
export function checkFlagRequest(request: FlagChangeRequest): FlagChangeRequest {
  checkFlagName(request.name);
  const values = [request.value, ...(request.allowed ?? [])];
  for (const value of values) {
    if (!valuePattern.test(value)) {
      throw invalidFlagInput(
        `flag value "${value}"`,
        'is not valid: start with a letter or digit, then up to 63 letters, digits, "_", ".", ":" or "-"',
        { flag: request.name, value },
      );
    }
  }
  if (request.reason.trim() === '')
    throw invalidFlagInput(`a change of flag "${request.name}"`, 'needs a reason', { flag: request.name });
  if (request.allowed && new Set(request.allowed).size !== request.allowed.length)
    throw invalidFlagInput('--allowed', `lists a value twice: ${request.allowed.join(', ')}`);
  return request;
}

/** The state of each stored generation of one flag, at time `now`. */
export function flagHistory(
  generations: readonly FlagGeneration[],
  now: number,
  pendingTimeoutMs: number,
): FlagChange[] {
  const current = currentGeneration(generations);
  return generations.map((g) => ({ ...g, state: changeState(g, current, now, pendingTimeoutMs) }));
}

function changeState(
  g: FlagGeneration,
  current: FlagGeneration | undefined,
  now: number,
  pendingTimeoutMs: number,
): FlagChangeState {
  if (g.auditSeq !== null) return 'applied';
  if (g.abandoned !== null || (current && current.generation > g.generation)) return 'abandoned';
  return now - Date.parse(g.at) < pendingTimeoutMs ? 'pending' : 'abandoned';
}

/** The generation in effect: the highest one that was audited. */
export function currentGeneration(generations: readonly FlagGeneration[]): FlagGeneration | undefined {
  return generations
    .filter((g) => g.auditSeq !== null)
    .reduce<FlagGeneration | undefined>(
      (best, g) => (best && best.generation > g.generation ? best : g),
      undefined,
    );
}

/** The flag as services see it, from its generations; undefined when no change took effect. */
export function shapeFlagOf(generations: readonly FlagGeneration[]): ShapeFlag | undefined {
  const g = currentGeneration(generations);
  if (!g) return undefined;
  return {
    name: g.name,
    value: g.value,
    generation: g.generation,
    since: g.at,
    by: g.actor,
    reason: g.reason,
    allowed: g.allowed,
    auditSeq: g.auditSeq!,
  };
}

/** What a change must do: nothing (the flag already has the value), or insert this generation. */
export type FlagChangePlan =
  | { readonly kind: 'unchanged'; readonly current: ShapeFlag }
  | { readonly kind: 'insert'; readonly generation: FlagGeneration };

/**
 * Plans a change against the stored generations of the flag. Refuses (throws) a value outside
 * the allowed set, an attempt to redefine the allowed set, and a change while another setter's
 * change is still being audited: it would otherwise be decided on a value about to be replaced.
 */
export function planFlagChange(
  generations: readonly FlagGeneration[],
  request: FlagChangeRequest,
  at: number,
  pendingTimeoutMs: number,
): FlagChangePlan {
  const current = currentGeneration(generations);
  const allowed = current ? current.allowed : (request.allowed ?? null);
  if (current && request.allowed && !sameSet(current.allowed, request.allowed))
    throw allowedIsFixed(request.name, current.allowed, request.allowed);
  if (allowed && !allowed.includes(request.value))
    throw valueNotAllowed(request.name, request.value, allowed);
  const history = flagHistory(generations, at, pendingTimeoutMs);
  const pending = history.find((g) => g.state === 'pending');
  if (pending) throw changeInProgress(pending);
  const flag = shapeFlagOf(generations);
  if (flag && flag.value === request.value) return { kind: 'unchanged', current: flag };
  return {
    kind: 'insert',
    generation: {
      name: request.name,
      generation: (generations.at(-1)?.generation ?? 0) + 1,
      value: request.value,
      previous: current?.value ?? null,
      reason: request.reason,
      actor: request.actor,
      at: new Date(at).toISOString(),
      allowed: allowed && [...allowed],
      auditSeq: null,
      auditHash: null,
      abandoned: null,
    },
  };
}

function sameSet(stored: readonly string[] | null, given: readonly string[]): boolean {
  return stored !== null && stored.length === given.length && given.every((v) => stored.includes(v));
}
