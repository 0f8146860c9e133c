import type { JsonObject, JsonValue } from '../../core/json.js';
import { acceptsValue } from './accepts-value.js';
import type { Direction, Semantics } from './compatibility-rules.js';
import type { NormalRoot, NormalSchema } from './normalize-schema.js';
import type { ChangeKind, ObjectOpenness, SchemaChange } from './schema-change.js';

/** One reference pair being compared, for the co-inductive step through recursive schemas. */
export interface RefFrame {
  readonly key: string;
  readonly depth: number;
}

/**
 * Where a comparison stands: which side reads and which writes, the semantics, the JSON pointer
 * reported, and what the lenient writer declares at this place in the document.
 */
export interface CompareContext {
  /** backward: the reader is the newer version; forward: the older. */
  readonly direction: Direction;
  /** Forced to strict under `not`, where "the writer emits only declared fields" means nothing. */
  readonly semantics: Semantics;
  readonly reader: NormalRoot;
  readonly writer: NormalRoot;
  /** JSON pointer of the finding, in the schemas' own keywords. */
  readonly path: string;
  /** The document path so far (property names and item indexes), for example documents. */
  readonly instance: readonly (string | number)[];
  /**
   * Lenient only: every writer sub-schema that may apply at this place in the document. A name is
   * declared when one of them declares it; the writer emits no other name.
   */
  readonly scope: readonly NormalSchema[] | undefined;
  readonly refs: readonly RefFrame[];
  /** False below combinators, where an example built along the path may not reach the same branch. */
  readonly examples: boolean;
  /** Prefixed to messages: "bar, compared with additionalProperties: ". */
  readonly note: string;
}

/** A finding; `SchemaChange` with the kind already decided for the direction. */
export type Finding = SchemaChange;

/** The kind for a reader narrower than the writer: the narrowing kind backward, the widening one forward. */
export function narrowerReader(ctx: CompareContext, narrowing: ChangeKind, widening: ChangeKind): ChangeKind {
  return ctx.direction === 'backward' ? narrowing : widening;
}

/** The older and the newer side of the pair being compared, in that order. */
export function oldNew<T>(ctx: CompareContext, reader: T, writer: T): [T, T] {
  return ctx.direction === 'backward' ? [writer, reader] : [reader, writer];
}

export function finding(
  ctx: CompareContext,
  kind: ChangeKind,
  message: string,
  extra: { path?: string; object?: ObjectOpenness; example?: JsonValue | undefined } = {},
): Finding {
  const out: Finding = { path: extra.path ?? ctx.path, kind, message: `${ctx.note}${message}` };
  if (extra.object) out.object = extra.object;
  if (extra.example !== undefined && ctx.examples && provesIt(ctx, extra.example))
    out.example = extra.example;
  return out;
}

/** An example is kept only when the evaluator is sure the writer accepts it and the reader does not. */
function provesIt(ctx: CompareContext, example: JsonValue): boolean {
  return (
    acceptsValue(ctx.writer.schema, example, ctx.writer) === true &&
    acceptsValue(ctx.reader.schema, example, ctx.reader) === false
  );
}

/** The context one step down in the schema (and, with `step`, one step down in the document). */
export function descend(ctx: CompareContext, pointer: string, step?: string | number): CompareContext {
  const path = `${ctx.path}/${pointer}`;
  if (step === undefined) return { ...ctx, path };
  return { ...ctx, path, instance: [...ctx.instance, step] };
}

export const asObj = (s: NormalSchema | JsonValue | undefined): JsonObject =>
  typeof s === 'object' && s !== null && !Array.isArray(s) ? (s as JsonObject) : {};
