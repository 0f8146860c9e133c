import { isJsonObject } from '../../core/json.js';

/**
 * When `refs repair` refuses to run because the orphans look like a mistake rather than deleted
 * targets (see `breaker-verdict.ts`). Set for all references in the config's
 * `integrity.breaker`, and per reference in `references.<name>.breaker`; each field falls back
 * to the global setting, then to {@link defaultBreaker}.
 */
export interface BreakerSettings {
  /** Open orphans over documents scanned above this trips the breaker (0..1). */
  readonly maxOrphanRate: number;
  /** The latest scan's orphan rate more than this many times the previous scan's trips it... */
  readonly maxJump: number;
  /** ...when the rate also rose by at least this much (0..1: 0.01 is one percentage point). */
  readonly minJumpRise: number;
  /** Below this many open orphans the breaker never trips: a handful is read in the report. */
  readonly minOrphans: number;
}

/** A few percent, a threefold jump of at least a point, and at least ten orphans. */
export const defaultBreaker: BreakerSettings = {
  maxOrphanRate: 0.05,
  maxJump: 3,
  minJumpRise: 0.01,
  minOrphans: 10,
};

type Problem = (path: string, message: string) => void;

const rules: Record<keyof BreakerSettings, { ok: (n: number) => boolean; what: string }> = {
  maxOrphanRate: { ok: (n) => n > 0 && n <= 1, what: 'a fraction above 0 and at most 1, such as 0.05' },
  maxJump: { ok: (n) => n >= 1, what: 'a factor of at least 1, such as 3' },
  minJumpRise: { ok: (n) => n >= 0 && n <= 1, what: 'a fraction from 0 to 1, such as 0.01' },
  minOrphans: { ok: (n) => Number.isInteger(n) && n >= 0, what: 'a whole number of at least 0, such as 10' },
};

/**
 * Reads breaker settings at `path` of the config over `base`: every field optional, each checked,
 * unknown fields refused. Problems are reported through `problem`; the result keeps `base` for a
 * field in error.
 */
export function resolveBreaker(
  raw: unknown,
  path: string,
  base: BreakerSettings,
  problem: Problem,
): BreakerSettings {
  if (raw === undefined) return base;
  if (!isJsonObject(raw)) {
    problem(path, 'must be an object such as { maxOrphanRate: 0.05, minOrphans: 10 }');
    return base;
  }
  const out: Record<string, number> = { ...base };
  for (const [field, value] of Object.entries(raw)) {
    const rule = rules[field as keyof BreakerSettings];
    if (!rule) {
      problem(`${path}.${field}`, `is not a breaker setting (expected ${Object.keys(rules).join(', ')})`);
      continue;
    }
    if (typeof value !== 'number' || !rule.ok(value)) problem(`${path}.${field}`, `must be ${rule.what}`);
    else out[field] = value;
  }
  return out as unknown as BreakerSettings;
}
