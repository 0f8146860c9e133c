import { canonicalJson, type JsonValue } from '../../core/json.js';
import { StewardError } from '../../errors/steward-error.js';
import type { CompareContext } from './compare-context.js';
import { covers, refFrame } from './compare-schemas.js';
import { type Direction, rulesFor, type Semantics } from './compatibility-rules.js';
import { normalRoot } from './normalize-schema.js';
import type { ChangeKind, JsonSchema, SchemaChange } from './schema-change.js';

/**
 * Which versions the newest schema must stay compatible with, and in which direction. The plain
 * modes compare the newest with the previous version only; the transitive ones with every earlier
 * version, which catches a field removed in one version and re-added with another type later.
 */
export type CompatibilityMode =
  | 'backward'
  | 'forward'
  | 'full'
  | 'backward-transitive'
  | 'forward-transitive'
  | 'full-transitive';

/** One breaking change between an earlier version and the newest. */
export type CompatibilityViolation = {
  /** JSON pointer into the earlier schema, e.g. `/properties/address/properties/city`. */
  path: string;
  /** The change kind, which names the row of the rules table that rejected it. */
  rule: ChangeKind;
  /** The mode that was checked. */
  mode: CompatibilityMode;
  /** The direction that breaks: backward (new reads old) or forward (old reads new). */
  direction: Direction;
  /** Versions are numbered by position in `versions`, from 1. */
  fromVersion: number;
  toVersion: number;
  message: string;
  /** A minimal document the writer's version accepts and the reader's rejects, when one was found. */
  example?: JsonValue;
};

/** The verdict over all compared pairs: a result, not an exception, so every violation is reported. */
export type CompatibilityResult = { ok: boolean; violations: CompatibilityViolation[] };

/** What to check: the schema versions oldest first, the mode and the semantics. */
export type CompatibilityInput = {
  versions: readonly JsonSchema[];
  mode: CompatibilityMode;
  semantics: Semantics;
};

/**
 * Checks that the newest of `versions` is compatible with the earlier ones under `mode` and
 * `semantics`. Pure: it reads no files and knows nothing of consumers, waivers or compatibility
 * groups, which the command layers on top. Throws `input.invalid` when a version is not a schema.
 */
export function checkCompatibility(input: CompatibilityInput): CompatibilityResult {
  const { versions, mode, semantics } = input;
  versions.forEach(assertSchema);
  const newest = versions.length - 1;
  const violations: CompatibilityViolation[] = [];
  for (const from of baselines(newest, mode)) {
    for (const direction of directions(mode)) {
      const before = versions[from] as JsonSchema;
      const after = versions[newest] as JsonSchema;
      for (const change of compareVersions(before, after, direction, semantics)) {
        violations.push(violation(change, { mode, semantics, direction }, from + 1, newest + 1));
      }
    }
  }
  return { ok: violations.length === 0, violations };
}

/**
 * What breaks when `before` is followed by `after`, in one direction: backward, readers of
 * `after` meet documents written with `before`; forward, the other way round. Each change found
 * breaks that direction; the rules table names its kind. Pure.
 */
export function compareVersions(
  before: JsonSchema,
  after: JsonSchema,
  direction: Direction,
  semantics: Semantics,
): SchemaChange[] {
  const old = normalRoot(before);
  const now = normalRoot(after);
  const [reader, writer] = direction === 'backward' ? [now, old] : [old, now];
  const start: CompareContext = {
    direction,
    semantics,
    reader,
    writer,
    path: '',
    instance: [],
    scope: semantics === 'lenient' ? [writer.schema] : undefined,
    refs: [],
    examples: true,
    note: '',
  };
  // The roots are the first pair a recursive schema comes back to.
  const ctx = refFrame(reader.schema, writer.schema, start);
  return covers(reader.schema, writer.schema, typeof ctx === 'object' && !('kind' in ctx) ? ctx : start);
}

function baselines(newest: number, mode: CompatibilityMode): number[] {
  if (newest < 1) return [];
  if (!mode.endsWith('-transitive')) return [newest - 1];
  return Array.from({ length: newest }, (_, i) => i);
}

function directions(mode: CompatibilityMode): Direction[] {
  if (mode.startsWith('backward')) return ['backward'];
  if (mode.startsWith('forward')) return ['forward'];
  return ['backward', 'forward'];
}

function violation(
  change: SchemaChange,
  policy: { mode: CompatibilityMode; semantics: Semantics; direction: Direction },
  fromVersion: number,
  toVersion: number,
): CompatibilityViolation {
  const { mode, semantics, direction } = policy;
  const [reader, writer] = direction === 'backward' ? [toVersion, fromVersion] : [fromVersion, toVersion];
  const rows = rulesFor(change);
  const why = (rows.find((r) => r[semantics][direction] === 'breaks') ?? rows[0])?.why ?? '';
  const example =
    change.example === undefined
      ? ''
      : `; for example ${canonicalJson(change.example)} is valid under version ${writer} and not under version ${reader}`;
  const message = `${change.message}: readers of version ${reader} may fail on documents written with version ${writer} (${why})${example}`;
  const out: CompatibilityViolation = {
    path: change.path,
    rule: change.kind,
    mode,
    direction,
    fromVersion,
    toVersion,
    message,
  };
  if (change.example !== undefined) out.example = change.example;
  return out;
}

function assertSchema(schema: unknown, index: number): void {
  if (typeof schema === 'boolean') return;
  if (typeof schema === 'object' && schema !== null && !Array.isArray(schema)) return;
  throw new StewardError(
    'input.invalid',
    `Contract version ${index + 1} is not a JSON Schema (an object or a boolean); fix the schema file.`,
    { version: index + 1 },
  );
}
