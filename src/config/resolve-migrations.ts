import { isAbsolute, resolve } from 'node:path';
import { isJsonObject } from '../core/json.js';
import { type ResolvedSignals, resolveSignals } from './resolve-signals.js';

/**
 * A gate of `migrate apply`, whose failure can roll the migration back on its own. `contract` is
 * implicit: every document about to be written must conform to its collection's contract.
 */
export type MigrationGate = 'validators' | 'error-rate' | 'parity' | 'contract';
export const migrationGates: readonly MigrationGate[] = ['validators', 'error-rate', 'parity', 'contract'];

/** The config's `migrations` after resolving: every setting present, paths absolute. */
export interface ResolvedMigrations {
  /** The migrations folder, absolute. Default `<config dir>/migrations`. */
  readonly dir: string;
  /** Percent of documents (chosen by key hash) the canary migrates before the gates. Default 5. */
  readonly canaryPercent: number;
  /** Documents read, migrated and written per batch. Default 500. */
  readonly batchSize: number;
  /** Documents per second apply and rollback stay under; undefined for as fast as the store goes. */
  readonly rate?: number;
  /** Fraction (0..1) of documents that may fail before a gate stops apply. Default 0. */
  readonly maxErrorRate: number;
  /**
   * Gates whose failure rolls back at once. Undefined by default: a failed gate stops and waits
   * for a person, the safe choice.
   */
  readonly autoRollback?: { readonly on: readonly MigrationGate[] };
  /** Where lineage events of apply and rollback go: a JSON-lines file, a webhook, or nowhere. */
  readonly lineage: ResolvedSignals;
}

type Problem = (path: string, message: string) => void;
type ReadString = (value: unknown, path: string) => string | undefined;

const known = ['dir', 'canaryPercent', 'batchSize', 'rate', 'maxErrorRate', 'autoRollback', 'lineage'];

/**
 * Resolves the config's `migrations`:
 *
 * ```ts
 * migrations: {
 *   dir: 'migrations', canaryPercent: 5, batchSize: 500, rate: 2000, maxErrorRate: 0,
 *   autoRollback: { on: ['validators', 'parity'] },
 *   lineage: { jsonl: 'lineage.jsonl', webhook: { url: env('LINEAGE_URL') } },
 * }
 * ```
 *
 * Every problem is reported with its path; the defaults fill what is absent.
 */
export function resolveMigrations(
  raw: unknown,
  baseDir: string,
  readString: ReadString,
  problem: Problem,
): ResolvedMigrations {
  const m = isJsonObject(raw) ? raw : {};
  if (raw !== undefined && !isJsonObject(raw))
    problem('migrations', "must be an object such as { dir: 'migrations', canaryPercent: 5 }");
  for (const key of Object.keys(m))
    if (!known.includes(key))
      problem(`migrations.${key}`, `is not a known setting (expected ${known.join(', ')})`);
  const dir = readString(m.dir, 'migrations.dir') ?? 'migrations';
  const num = (field: string, fallback: number, ok: (n: number) => boolean, expected: string) => {
    const value = m[field];
    if (value === undefined) return fallback;
    if (typeof value === 'number' && Number.isFinite(value) && ok(value)) return value;
    problem(`migrations.${field}`, `must be ${expected} (got ${JSON.stringify(value)})`);
    return fallback;
  };
  const canaryPercent = num(
    'canaryPercent',
    5,
    (n) => n > 0 && n <= 100,
    'a percent above 0 and at most 100',
  );
  const batchSize = num(
    'batchSize',
    500,
    (n) => Number.isInteger(n) && n >= 1 && n <= 10_000,
    'a whole number from 1 to 10000',
  );
  const rate =
    m.rate === undefined
      ? undefined
      : num('rate', 0, (n) => n > 0, 'a positive number of documents per second');
  const maxErrorRate = num(
    'maxErrorRate',
    0,
    (n) => n >= 0 && n <= 1,
    'a fraction from 0 to 1, such as 0.001',
  );
  const autoRollback = resolveAutoRollback(m.autoRollback, problem);
  const lineage = resolveLineage(m.lineage, baseDir, readString, problem);
  return {
    dir: isAbsolute(dir) ? dir : resolve(baseDir, dir),
    canaryPercent,
    batchSize,
    ...(rate === undefined || rate === 0 ? {} : { rate }),
    maxErrorRate,
    ...(autoRollback ? { autoRollback } : {}),
    lineage,
  };
}

function resolveAutoRollback(raw: unknown, problem: Problem): ResolvedMigrations['autoRollback'] {
  if (raw === undefined) return undefined;
  const path = 'migrations.autoRollback';
  const expected = `must be { on: [...] } naming gates among ${migrationGates.join(', ')}`;
  if (!isJsonObject(raw) || !Array.isArray(raw.on) || raw.on.length === 0) {
    problem(path, expected);
    return undefined;
  }
  for (const key of Object.keys(raw))
    if (key !== 'on') problem(`${path}.${key}`, 'is not a known setting (expected on)');
  const on: MigrationGate[] = [];
  for (const [i, gate] of raw.on.entries()) {
    if (migrationGates.includes(gate as MigrationGate)) on.push(gate as MigrationGate);
    else
      problem(
        `${path}.on[${i}]`,
        `must be one of ${migrationGates.join(', ')} (got ${JSON.stringify(gate)})`,
      );
  }
  return { on };
}

/**
 * Lineage sinks have the shape of the config's `signals` (a JSON-lines file, a webhook), so they
 * are resolved by the same function, with problems named under `migrations.lineage`.
 */
function resolveLineage(
  raw: unknown,
  baseDir: string,
  readString: ReadString,
  problem: Problem,
): ResolvedSignals {
  const rename = (path: string) => path.replace(/^signals/, 'migrations.lineage');
  return resolveSignals(
    raw,
    baseDir,
    (value, path) => readString(value, rename(path)),
    (path, message) => problem(rename(path), message),
  );
}
