import { canonicalJson, type JsonObject } from '../../core/json.js';
import { diffKeywords } from './diff-keywords.js';
import { diffObject } from './diff-object.js';
import {
  asObject,
  asSchema,
  type DiffNode,
  escapePointer,
  type JsonSchema,
  type SchemaChange,
} from './schema-change.js';

/**
 * Compares two JSON Schemas and lists what changed, for the document-collection subset of draft
 * 2020-12: type, properties, required, additionalProperties, enum, const, format, numeric, length
 * and item-count bounds, pattern, items and nested objects. It says nothing about compatibility;
 * the rules table does. Keywords outside the subset (`$ref`, `allOf`, `anyOf`, `if`...) are not
 * understood: when they differ between the two schemas, an `unsupported` change is reported so the
 * check fails closed instead of passing a change it could not read.
 */
export function diffSchemas(before: JsonSchema, after: JsonSchema): SchemaChange[] {
  const out: SchemaChange[] = [];
  diffNode(before, after, '', out);
  return out;
}

const diffNode: DiffNode = (before, after, path, out) => {
  if (before === false || after === false) {
    if (before !== after) out.push(unsupported(path, 'a `false` schema outside additionalProperties'));
    return;
  }
  const b = asObject(before);
  const a = asObject(after);
  out.push(...unsupportedKeywords(b, a, path));
  const keywordChanges = diffKeywords(b, a, path);
  out.push(...keywordChanges);
  if (keywordChanges.some((c) => c.kind === 'type-changed')) return;
  diffObject(b, a, path, out, diffNode);
  if (b.items !== undefined || a.items !== undefined) {
    diffNode(asSchema(b.items), asSchema(a.items), `${path}/items`, out);
  }
};

/** Keywords the diff understands; anything else that is not an annotation is compared for equality. */
const understood = new Set([
  'type',
  'properties',
  'required',
  'additionalProperties',
  'enum',
  'const',
  'format',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
  'uniqueItems',
  'pattern',
  'items',
]);

/** Keywords that do not change which documents are valid. */
const annotations = new Set([
  '$schema',
  '$id',
  '$comment',
  'title',
  'description',
  'default',
  'examples',
  'deprecated',
  'readOnly',
  'writeOnly',
  'contentMediaType',
  'contentEncoding',
]);

function unsupportedKeywords(b: JsonObject, a: JsonObject, path: string): SchemaChange[] {
  const keys = new Set([...Object.keys(b), ...Object.keys(a)]);
  return [...keys]
    .filter((k) => !understood.has(k) && !annotations.has(k) && !k.startsWith('x-'))
    .filter((k) => canonicalJson(b[k]) !== canonicalJson(a[k]))
    .map((k) => unsupported(`${path}/${escapePointer(k)}`, `the keyword \`${k}\``));
}

function unsupported(path: string, what: string): SchemaChange {
  const hint =
    what.includes('$ref') || what.includes('$defs')
      ? '; inline the definition where it is used'
      : '; express the change with the supported keywords or start a new compatibility group';
  return {
    path,
    kind: 'unsupported',
    message: `${what} changed, and contracts check cannot compare it yet${hint}`,
  };
}
