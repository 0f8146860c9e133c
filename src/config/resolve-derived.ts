import { parseDuration } from '../core/duration.js';
import { parseFilter } from '../core/filter.js';
import { isJsonObject, type JsonObject } from '../core/json.js';
import {
  contractSettings,
  type DerivedConsumer,
  type DerivedElement,
  type DerivedSource,
  type DerivedTransform,
  defaultMetadata,
  defaultStalenessMs,
  derivedKinds,
  failureBehaviours,
  type LintAcceptance,
  type MetadataPlace,
  type ResolvedDerived,
  refreshMechanisms,
  repairMethods,
  type TransformFunction,
  validationMethods,
} from '../derived/derived.js';
import { lintRuleIds } from '../derived/lint/lint-derived.js';
import { StewardError } from '../errors/steward-error.js';
import type { ResolvedCollection } from './resolved-config.js';

type Problem = (path: string, message: string) => void;
type Raw = Record<string, unknown>;

const aggregateOps = ['count', 'sum', 'min', 'max', 'latest'] as const;

/**
 * Resolves the config's `derived`, keyed `<collection>.<field>`, naming every problem by its
 * config path:
 *
 * ```ts
 * derived: {
 *   'case_list.openTaskCount': {
 *     kind: 'counter',
 *     source: { collection: 'tasks', key: 'caseId', where: { status: { $in: ['open'] } } },
 *     transform: { count: true },
 *     refresh: 'asynchronous', staleness: '5m', validation: 'exact', repair: 'recompute',
 *     consumers: [{ service: 'case-portal' }],
 *   },
 *   'case_list.subjectName': { kind: 'copy', source: { collection: 'subjects' }, transform: { copy: 'name', via: 'subjectId' } },
 * }
 * ```
 *
 * Shapes only: whether every contract question is answered well is `derived lint`'s job.
 */
export function resolveDerived(
  raw: unknown,
  collections: ReadonlyMap<string, ResolvedCollection>,
  problem: Problem,
): Map<string, ResolvedDerived> {
  const out = new Map<string, ResolvedDerived>();
  if (raw === undefined) return out;
  if (!isJsonObject(raw)) {
    problem('derived', "must be an object of derived state keyed '<collection>.<field>'");
    return out;
  }
  const known = () => [...collections.keys()].join(', ') || 'none';
  for (const [name, settings] of Object.entries(raw)) {
    const path = `derived.${name}`;
    const dot = name.indexOf('.');
    const collection = dot > 0 ? name.slice(0, dot) : '';
    const field = dot > 0 ? name.slice(dot + 1) : '';
    if (!collection || !field) {
      problem(path, "derived state is keyed '<collection>.<field>', such as 'case_list.openTaskCount'");
      continue;
    }
    if (collection.includes('[')) {
      problem(
        path,
        `starts with "${collection}", not a collection: a value in each element of an array is keyed '<collection>.${name}', such as 'orders.${name}'`,
      );
      continue;
    }
    if (!collections.has(collection))
      problem(path, `names collection "${collection}", which is not in "collections" (known: ${known()})`);
    const parsed = parseFieldPath(collection, field, path, problem);
    if (!isJsonObject(settings as never)) {
      problem(path, "must be an object such as { kind: 'counter', source: {...}, transform: {...} }");
      continue;
    }
    if (!parsed) continue;
    const resolved = resolveOne(name, collection, parsed, settings as Raw, path, collections, problem);
    if (resolved) out.set(name, resolved);
  }
  return out;
}

/** The declared field, and for a value in array elements the array and the field in each element. */
interface FieldPath {
  readonly field: string;
  readonly element?: { readonly array: string; readonly field: string };
}

/**
 * Parses the field part of a declaration's key. `lines[].line_total` is a value in each element of
 * the array `lines`; any other form that could mean an array position or MongoDB's update syntax
 * (`lines.$.line_total`, `lines.0.line_total`, `lines[0].line_total`) is refused, naming the form
 * that would work, since it would otherwise read as one value no document holds.
 */
function parseFieldPath(
  collection: string,
  field: string,
  path: string,
  problem: Problem,
): FieldPath | undefined {
  const steps = field.split('.');
  const arrays = steps.flatMap((step, i) => (step.endsWith('[]') ? [i] : []));
  const hint = (array: string, rest: string) => `'${collection}.${array}[].${rest || '<field>'}'`;
  for (const [i, step] of steps.entries()) {
    const array = steps.slice(0, i).join('.') || '<array>';
    const rest = steps.slice(i + 1).join('.');
    const bare = step.endsWith('[]') ? step.slice(0, -2) : step;
    if (bare === '') {
      problem(
        path,
        `has an empty step in "${field}": write each step of the path, such as ${hint(array, rest)}`,
      );
      return undefined;
    }
    if (step.startsWith('$')) {
      problem(
        path,
        `"${step}" is MongoDB update syntax, not a field: a value in each element of the array "${array}" is declared ${hint(array, rest)}`,
      );
      return undefined;
    }
    if (/^[0-9]+$/.test(step)) {
      problem(
        path,
        `"${step}" would name one position of an array, which cannot be declared: a value in each element of "${array}" is declared ${hint(array, rest)}`,
      );
      return undefined;
    }
    if (/[[\]]/.test(bare)) {
      problem(
        path,
        `"${step}" is not a path step steward understands: a value in each element of an array is declared ${hint(bare.replace(/\[.*$/, ''), rest)}`,
      );
      return undefined;
    }
  }
  if (arrays.length === 0) return { field };
  if (arrays.length > 1) {
    problem(
      path,
      `goes through ${arrays.length} arrays ("[]"): a value inside an array inside an array is not supported`,
    );
    return undefined;
  }
  const at = arrays[0]!;
  if (at === steps.length - 1) {
    problem(
      path,
      `names the elements of "${steps.slice(0, at + 1).join('.')}" themselves: name the field each element holds, such as ${hint(
        steps
          .slice(0, at + 1)
          .join('.')
          .slice(0, -2),
        '',
      )}`,
    );
    return undefined;
  }
  const array = [...steps.slice(0, at), steps[at]!.slice(0, -2)].join('.');
  return { field, element: { array, field: steps.slice(at + 1).join('.') } };
}

function resolveOne(
  name: string,
  collection: string,
  parsed: FieldPath,
  s: Raw,
  path: string,
  collections: ReadonlyMap<string, ResolvedCollection>,
  problem: Problem,
): ResolvedDerived | undefined {
  const { field } = parsed;
  const allowed = [
    'kind',
    'source',
    'transform',
    ...contractSettings,
    'snapshot',
    'version',
    'lint',
    'elementKey',
    'metadata',
  ];
  for (const key of Object.keys(s))
    if (!allowed.includes(key))
      problem(`${path}.${key}`, `is not a known setting (expected ${allowed.join(', ')})`);
  const kind = oneOf(s.kind, derivedKinds, `${path}.kind`, problem, undefined, true);
  const self = s.source === 'self';
  // A source written { self: true } is refused below; its transform is read as a self one's.
  const selfLike = self || (isJsonObject(s.source as never) && (s.source as Raw).self !== undefined);
  const transform = resolveTransform(s.transform, `${path}.transform`, problem, selfLike, parsed.element);
  const source = self
    ? selfSource(collection)
    : resolveSource(s.source, transform, `${path}.source`, collections, problem, parsed.element);
  const element = resolveElement(parsed, s.elementKey, `${path}.elementKey`, problem);
  const metadata = resolveMetadata(s.metadata, `${path}.metadata`, problem);
  const snapshot = s.kind === 'snapshot' || s.snapshot === true;
  // A snapshot keeps the value of its moment: by default nothing refreshes it.
  const refresh = oneOf(
    s.refresh,
    refreshMechanisms,
    `${path}.refresh`,
    problem,
    snapshot ? 'manual' : 'asynchronous',
  );
  const onFailure = oneOf(s.onFailure, failureBehaviours, `${path}.onFailure`, problem, 'mark-stale');
  const { method: validationRaw, windowMs } = validationSetting(s.validation, `${path}.validation`, problem);
  const validation = oneOf(validationRaw, validationMethods, `${path}.validation`, problem, 'exact');
  const repair = oneOf(s.repair, repairMethods, `${path}.repair`, problem, 'recompute');
  const consumers = resolveConsumers(s.consumers, `${path}.consumers`, problem);
  const stalenessMs =
    s.staleness === undefined
      ? defaultStalenessMs[refresh ?? 'asynchronous']
      : staleness(s.staleness, `${path}.staleness`, problem);
  const lintAccept = resolveLintAccept(s.lint, `${path}.lint`, problem);
  if (s.snapshot !== undefined && typeof s.snapshot !== 'boolean')
    problem(`${path}.snapshot`, 'must be true or false');
  if (s.retire !== undefined && !isJsonObject(s.retire as never))
    problem(`${path}.retire`, "must be an object such as { after: 'case_list_v2.openTaskCount' }");
  const version = s.version ?? 1;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1)
    problem(`${path}.version`, 'must be a whole number of at least 1');
  if (self && (validation === 'window' || validation === 'checkpoint'))
    problem(
      `${path}.validation`,
      `${validation} follows the changes of a source collection, and a value computed from its own document (source: 'self') has none: use 'exact', 'sampling' or 'hash'`,
    );
  else if (source) requireMethodFields(name, validation, source, `${path}.source`, problem);
  if (element && source?.link.by === 'key')
    problem(
      `${path}.source.key`,
      'an aggregate over source documents linked by key cannot be declared inside array elements: link each element to one source document (transform.via, such as "sku"), or compute it from the element itself (source: \'self\')',
    );
  if (element && !self && validation === 'checkpoint')
    problem(
      `${path}.validation`,
      "checkpoint is not supported inside array elements: use 'exact', 'sampling', 'hash' or 'window'",
    );
  if (!kind || !transform || !source) return undefined;
  return {
    name,
    collection,
    field,
    kind,
    source,
    transform: transform.transform,
    refresh: refresh ?? (snapshot ? 'manual' : 'asynchronous'),
    ...(stalenessMs === undefined ? {} : { stalenessMs }),
    onFailure: onFailure ?? 'mark-stale',
    validation: validation ?? 'exact',
    repair: repair ?? 'recompute',
    consumers,
    ...(isJsonObject(s.retire as never) ? { retire: s.retire as JsonObject } : {}),
    snapshot,
    version: typeof version === 'number' ? version : 1,
    ...(windowMs === undefined ? {} : { windowMs }),
    defaulted: contractSettings.filter((setting) => s[setting] === undefined),
    ...(lintAccept.length > 0 ? { lintAccept } : {}),
    ...(element ? { element } : {}),
    ...(metadata ? { metadata } : {}),
  };
}

/** `source: 'self'`: computed from the document's own fields; the source is the collection itself. */
function selfSource(collection: string): DerivedSource {
  return { collection, link: { by: 'self' }, where: [] };
}

/**
 * The array element a value lives in, with `elementKey` (a field of the element, such as "sku";
 * `lines[].sku` is read the same) when the elements are told apart by it rather than by position.
 */
function resolveElement(
  parsed: FieldPath,
  raw: unknown,
  path: string,
  problem: Problem,
): DerivedElement | undefined {
  if (!parsed.element) {
    if (raw !== undefined)
      problem(path, "is for values inside array elements, declared '<collection>.<array>[].<field>'");
    return undefined;
  }
  if (raw === undefined) return parsed.element;
  const key = typeof raw === 'string' ? inElement(raw, parsed.element.array) : raw;
  if (!isPath(key)) {
    problem(
      path,
      `must be the field of each ${parsed.element.array} element that tells it apart, such as "sku"`,
    );
    return parsed.element;
  }
  return { ...parsed.element, key };
}

/** A path given relative to the element, or as `<array>[].<path>`: relative to the element. */
function inElement(raw: string, array: string): string {
  return raw.startsWith(`${array}[].`) ? raw.slice(array.length + 3) : raw;
}

/** `metadata`: 'document' (the default, `_projection`), 'ledger', or { field } in the document. */
function resolveMetadata(raw: unknown, path: string, problem: Problem): MetadataPlace | undefined {
  if (raw === undefined) return undefined;
  if (raw === 'document') return defaultMetadata;
  if (raw === 'ledger') return { in: 'ledger' };
  const field = isJsonObject(raw as never) ? (raw as Raw).field : undefined;
  if (
    typeof field === 'string' &&
    Object.keys(raw as object).length === 1 &&
    /^[A-Za-z_][A-Za-z0-9_]*$/.test(field)
  )
    return { in: 'document', field };
  problem(
    path,
    "must be 'document' (steward's metadata in each document's _projection), 'ledger' (kept apart, in the ledger) or { field: '_steward' } (a top-level field name of your choosing)",
  );
  return undefined;
}

/** `lint: { accept: [{ rule, reason }] }`: each rule a known lint rule, each with a reason. */
function resolveLintAccept(raw: unknown, path: string, problem: Problem): LintAcceptance[] {
  if (raw === undefined) return [];
  const accept = isJsonObject(raw as never) ? (raw as { accept?: unknown }).accept : undefined;
  if (!Array.isArray(accept) || Object.keys(raw as object).some((k) => k !== 'accept')) {
    problem(
      path,
      "must be { accept: [{ rule: 'name-hides-authority', reason: 'a live field we cannot rename' }] }",
    );
    return [];
  }
  const out: LintAcceptance[] = [];
  accept.forEach((entry, i) => {
    const { rule, reason } = (isJsonObject(entry as never) ? entry : {}) as {
      rule?: unknown;
      reason?: unknown;
    };
    if (typeof rule !== 'string' || !lintRuleIds.includes(rule))
      problem(`${path}.accept[${i}].rule`, `must name a lint rule (${lintRuleIds.join(', ')})`);
    else if (typeof reason !== 'string' || reason.trim() === '')
      problem(`${path}.accept[${i}].reason`, 'is required: say why the warning is accepted');
    else out.push({ rule, reason });
  });
  return out;
}

/**
 * `validation` is a method name, or for a recompute window `{ method: 'window', days: 7 }` (the
 * window used when the command gives no `--window`).
 */
function validationSetting(
  raw: unknown,
  path: string,
  problem: Problem,
): { method: unknown; windowMs?: number } {
  if (!isJsonObject(raw as never)) return { method: raw };
  const v = raw as Raw;
  for (const key of Object.keys(v))
    if (key !== 'method' && key !== 'days')
      problem(`${path}.${key}`, 'is not a known setting (expected method, days)');
  if (v.days === undefined) return { method: v.method };
  if (v.method !== 'window') problem(`${path}.days`, "is a setting of { method: 'window' } only");
  if (typeof v.days !== 'number' || !(v.days > 0)) {
    problem(`${path}.days`, 'must be a number of days above 0, such as 7');
    return { method: v.method };
  }
  return { method: v.method, windowMs: v.days * 86_400_000 };
}

/**
 * The window method filters the source by its last-change time, and the checkpoint method compares
 * source versions: each needs its field declared, or it cannot run at all.
 */
function requireMethodFields(
  name: string,
  validation: string | undefined,
  source: DerivedSource,
  path: string,
  problem: Problem,
): void {
  if (validation === 'window' && !source.changedAt)
    problem(
      `${path}.changedAt`,
      `is required by validation 'window' of ${name}: the field of "${source.collection}" holding when each document last changed (ISO 8601), such as "updatedAt"`,
    );
  if (validation === 'checkpoint' && !source.changedAt && !source.version)
    problem(
      `${path}.version`,
      `is required by validation 'checkpoint' of ${name}: the field of "${source.collection}" holding its version number, such as "version" (or declare changedAt, such as "updatedAt", to use the last-change time as the version)`,
    );
}

/** A transform plus the link field a copy names (`via`), kept apart until the source is read. */
type TransformSpec = { transform: DerivedTransform; via?: string };

function resolveTransform(
  raw: unknown,
  path: string,
  problem: Problem,
  self: boolean,
  element: FieldPath['element'],
): TransformSpec | undefined {
  if (typeof raw === 'function') return { transform: { type: 'function', fn: raw as TransformFunction } };
  if (!isJsonObject(raw as never)) {
    problem(
      path,
      "is required: { count: true }, { copy: 'name', via: 'subjectId' }, { sum | min | max | latest: 'field' }, with source: 'self' { multiply: ['qty', 'unit_price'] }, or a function (doc, sources) => value",
    );
    return undefined;
  }
  const t = raw as Raw;
  const ops = [...aggregateOps, 'copy', 'multiply'].filter((op) => t[op] !== undefined);
  if (ops.length !== 1) {
    problem(
      path,
      `must name exactly one of count, copy, sum, min, max, latest, multiply (got ${ops.join(', ') || 'none'})`,
    );
    return undefined;
  }
  const op = ops[0] as (typeof aggregateOps)[number] | 'copy' | 'multiply';
  const extra = Object.keys(t).filter(
    (k) => k !== op && !(op === 'copy' && k === 'via') && !(op === 'latest' && k === 'by'),
  );
  for (const key of extra) problem(`${path}.${key}`, `is not a setting of a ${op} transform`);
  if (self) return selfTransform(op, t, path, problem);
  if (op === 'multiply') {
    problem(`${path}.multiply`, "multiplies fields of the document itself: declare source: 'self'");
    return undefined;
  }
  if (op === 'count') {
    if (t.count !== true) problem(`${path}.count`, 'must be true');
    return { transform: { type: 'count' } };
  }
  const field = t[op];
  if (!isPath(field) || field.includes('[')) {
    problem(
      `${path}.${op}`,
      isPath(field)
        ? "goes through an array ([]): paths through arrays are read from the document itself, with source: 'self'"
        : 'must be the dotted path of a source field, such as "name"',
    );
    return undefined;
  }
  if (op === 'copy') {
    const via = typeof t.via === 'string' && element ? inElement(t.via, element.array) : t.via;
    if (!isPath(via)) {
      problem(
        `${path}.via`,
        element
          ? `is required: the field of each ${element.array} element holding the source key, such as "sku"`
          : 'is required: the field of the derived document holding the source key, such as "subjectId" (to copy a field of the document itself, declare source: \'self\')',
      );
      return undefined;
    }
    return { transform: { type: 'copy', field }, via };
  }
  if (op === 'latest') {
    if (t.by !== undefined && !isPath(t.by))
      problem(`${path}.by`, 'must be the dotted path of a source field');
    return { transform: { type: 'latest', field, by: isPath(t.by) ? t.by : field } };
  }
  return { transform: { type: op, field } };
}

/**
 * A transform over the document's own fields (`source: 'self'`): a copy of one of its fields, a
 * product of fields, a sum, min or max of the values a path gives (through arrays written `[]`,
 * `lines[].line_total`), or a function. Counting and `latest` need source documents; a copy needs
 * no `via`.
 */
function selfTransform(op: string, t: Raw, path: string, problem: Problem): TransformSpec | undefined {
  if (op === 'count' || op === 'latest') {
    problem(
      `${path}.${op}`,
      `${op} reads source documents, and a value computed from its own document (source: 'self') has none: use { sum: 'lines[].qty' }, { multiply: [...] } or a function`,
    );
    return undefined;
  }
  if (op === 'copy' && t.via !== undefined) {
    problem(
      `${path}.via`,
      "links another collection's document; with source: 'self' a copy names only the field",
    );
    return undefined;
  }
  if (op === 'multiply') {
    const fields = t.multiply;
    if (
      !Array.isArray(fields) ||
      fields.length === 0 ||
      !fields.every((f) => isPath(f) && !f.includes('['))
    ) {
      problem(
        `${path}.multiply`,
        "must be a list of dotted paths of numeric fields, such as ['qty', 'unit_price']",
      );
      return undefined;
    }
    return { transform: { type: 'multiply', fields: fields as string[] } };
  }
  const field = t[op];
  if (!isGatherPath(field)) {
    problem(
      `${path}.${op}`,
      'must be the dotted path of a field of the document, "[]" after an array to take each element\'s, such as "lines[].line_total"',
    );
    return undefined;
  }
  return { transform: { type: op as 'copy' | 'sum' | 'min' | 'max', field } };
}

/** A dotted path whose steps may end with `[]` (every element of the array there). */
function isGatherPath(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length > 0 &&
    value.split('.').every((s) => /^[^$[\]][^[\]]*(\[\])?$/.test(s) && !/^[0-9]+$/.test(s))
  );
}

function resolveSource(
  raw: unknown,
  spec: TransformSpec | undefined,
  path: string,
  collections: ReadonlyMap<string, ResolvedCollection>,
  problem: Problem,
  element: FieldPath['element'],
): DerivedSource | undefined {
  if (isJsonObject(raw as never) && (raw as Raw).self !== undefined) {
    problem(path, "a value computed from its own document is declared source: 'self'");
    return undefined;
  }
  if (!isJsonObject(raw as never)) {
    problem(
      path,
      "is required: { collection: 'tasks', key: 'caseId', where: {...} }, { collection: 'subjects' } for a copy, or 'self' for a value computed from the document's own fields",
    );
    return undefined;
  }
  const s = raw as Raw;
  for (const key of Object.keys(s))
    if (!['collection', 'key', 'via', 'where', 'changedAt', 'version'].includes(key))
      problem(
        `${path}.${key}`,
        'is not a known setting (expected collection, key, via, where, changedAt, version)',
      );
  for (const key of ['changedAt', 'version'] as const)
    if (s[key] !== undefined && !isPath(s[key]))
      problem(`${path}.${key}`, 'must be the dotted path of a source field, such as "updatedAt"');
  if (typeof s.collection !== 'string' || !collections.has(s.collection)) {
    problem(
      `${path}.collection`,
      `must name a collection in "collections" (known: ${[...collections.keys()].join(', ') || 'none'})`,
    );
  }
  const where = filterAt(s.where, `${path}.where`, problem);
  const link = linkOf(
    element && typeof s.via === 'string' ? { ...s, via: inElement(s.via, element.array) } : s,
    spec,
    path,
    problem,
  );
  if (typeof s.collection !== 'string' || !link || !where) return undefined;
  return {
    collection: s.collection,
    link,
    where,
    ...(isJsonObject(s.where as never) ? { whereRaw: s.where as JsonObject } : {}),
    ...(isPath(s.changedAt) ? { changedAt: s.changedAt } : {}),
    ...(isPath(s.version) ? { version: s.version } : {}),
  };
}

/** Copies link by `via`; aggregates by `key`; a function by whichever its source names. */
function linkOf(
  s: Raw,
  spec: TransformSpec | undefined,
  path: string,
  problem: Problem,
): DerivedSource['link'] | undefined {
  if (!spec) return undefined;
  const { transform, via } = spec;
  if (transform.type === 'copy') {
    if (s.key !== undefined) problem(`${path}.key`, 'is for aggregates; a copy links by transform.via');
    return via ? { by: 'via', field: via } : undefined;
  }
  if (transform.type === 'function') {
    if (isPath(s.via) && s.key === undefined) return { by: 'via', field: s.via };
    if (isPath(s.key) && s.via === undefined) return { by: 'key', field: s.key };
    problem(
      path,
      "a function transform needs exactly one of key (source documents whose field holds this key) or via (this document's field holding a source key)",
    );
    return undefined;
  }
  if (s.via !== undefined) problem(`${path}.via`, `is for copies; a ${transform.type} links by source.key`);
  if (!isPath(s.key)) {
    problem(
      `${path}.key`,
      `is required for ${transform.type}: the source field holding the derived document's key, such as "caseId"`,
    );
    return undefined;
  }
  return { by: 'key', field: s.key };
}

function filterAt(raw: unknown, path: string, problem: Problem) {
  try {
    return parseFilter(raw, path);
  } catch (error) {
    if (!(error instanceof StewardError)) throw error;
    problem(path, error.message.startsWith(path) ? error.message.slice(path.length + 1) : error.message);
    return undefined;
  }
}

function resolveConsumers(raw: unknown, path: string, problem: Problem): DerivedConsumer[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    problem(path, "must be a list such as [{ service: 'case-portal', irreversible: false }]");
    return [];
  }
  const out: DerivedConsumer[] = [];
  raw.forEach((c, i) => {
    const at = `${path}[${i}]`;
    if (!isJsonObject(c as never) || typeof (c as Raw).service !== 'string') {
      problem(at, "must be { service: 'name', irreversible?: boolean }");
      return;
    }
    const consumer = c as Raw;
    if (consumer.irreversible !== undefined && typeof consumer.irreversible !== 'boolean')
      problem(`${at}.irreversible`, 'must be true or false');
    out.push({ service: consumer.service as string, irreversible: consumer.irreversible === true });
  });
  return out;
}

function oneOf<T extends string>(
  value: unknown,
  options: readonly T[],
  path: string,
  problem: Problem,
  fallback: T | undefined,
  required = false,
): T | undefined {
  if (value === undefined) {
    if (required) problem(path, `is required: one of ${options.join(', ')}`);
    return fallback;
  }
  if (typeof value === 'string' && (options as readonly string[]).includes(value)) return value as T;
  problem(path, `must be one of ${options.join(', ')} (got ${JSON.stringify(value)})`);
  return undefined;
}

function staleness(value: unknown, path: string, problem: Problem): number | undefined {
  if (value === undefined || value === 'immediate') return undefined;
  const ms = typeof value === 'string' ? parseDuration(value) : undefined;
  if (ms === undefined) problem(path, 'must be "immediate" or a duration such as "90s", "5m", "12h" or "7d"');
  return ms;
}

function isPath(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length > 0 &&
    value.split('.').every((s) => s.length > 0 && !s.startsWith('$'))
  );
}
