import { parseDuration } from '../core/duration.js';
import { parseFilter } from '../core/filter.js';
import { isJsonObject, type JsonObject } from '../core/json.js';
import {
  contractSettings,
  type DerivedConsumer,
  type DerivedSource,
  type DerivedTransform,
  defaultStalenessMs,
  derivedKinds,
  failureBehaviours,
  type LintAcceptance,
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
    if (!collections.has(collection))
      problem(path, `names collection "${collection}", which is not in "collections" (known: ${known()})`);
    if (!isJsonObject(settings as never)) {
      problem(path, "must be an object such as { kind: 'counter', source: {...}, transform: {...} }");
      continue;
    }
    const resolved = resolveOne(name, collection, field, settings as Raw, path, collections, problem);
    if (resolved) out.set(name, resolved);
  }
  return out;
}

function resolveOne(
  name: string,
  collection: string,
  field: string,
  s: Raw,
  path: string,
  collections: ReadonlyMap<string, ResolvedCollection>,
  problem: Problem,
): ResolvedDerived | undefined {
  const allowed = ['kind', 'source', 'transform', ...contractSettings, 'snapshot', 'version', 'lint'];
  for (const key of Object.keys(s))
    if (!allowed.includes(key))
      problem(`${path}.${key}`, `is not a known setting (expected ${allowed.join(', ')})`);
  const kind = oneOf(s.kind, derivedKinds, `${path}.kind`, problem, undefined, true);
  const transform = resolveTransform(s.transform, `${path}.transform`, problem);
  const source = resolveSource(s.source, transform, `${path}.source`, collections, problem);
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
  if (source) requireMethodFields(name, validation, source, `${path}.source`, problem);
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
  };
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

function resolveTransform(raw: unknown, path: string, problem: Problem): TransformSpec | undefined {
  if (typeof raw === 'function') return { transform: { type: 'function', fn: raw as TransformFunction } };
  if (!isJsonObject(raw as never)) {
    problem(
      path,
      "is required: { count: true }, { copy: 'name', via: 'subjectId' }, { sum | min | max | latest: 'field' } or a function (doc, sources) => value",
    );
    return undefined;
  }
  const t = raw as Raw;
  const ops = [...aggregateOps, 'copy'].filter((op) => t[op] !== undefined);
  if (ops.length !== 1) {
    problem(
      path,
      `must name exactly one of count, copy, sum, min, max, latest (got ${ops.join(', ') || 'none'})`,
    );
    return undefined;
  }
  const op = ops[0] as (typeof aggregateOps)[number] | 'copy';
  const extra = Object.keys(t).filter(
    (k) => k !== op && !(op === 'copy' && k === 'via') && !(op === 'latest' && k === 'by'),
  );
  for (const key of extra) problem(`${path}.${key}`, `is not a setting of a ${op} transform`);
  if (op === 'count') {
    if (t.count !== true) problem(`${path}.count`, 'must be true');
    return { transform: { type: 'count' } };
  }
  const field = t[op];
  if (!isPath(field)) {
    problem(`${path}.${op}`, 'must be the dotted path of a source field, such as "name"');
    return undefined;
  }
  if (op === 'copy') {
    if (!isPath(t.via)) {
      problem(
        `${path}.via`,
        'is required: the field of the derived document holding the source key, such as "subjectId"',
      );
      return undefined;
    }
    return { transform: { type: 'copy', field }, via: t.via };
  }
  if (op === 'latest') {
    if (t.by !== undefined && !isPath(t.by))
      problem(`${path}.by`, 'must be the dotted path of a source field');
    return { transform: { type: 'latest', field, by: isPath(t.by) ? t.by : field } };
  }
  return { transform: { type: op, field } };
}

function resolveSource(
  raw: unknown,
  spec: TransformSpec | undefined,
  path: string,
  collections: ReadonlyMap<string, ResolvedCollection>,
  problem: Problem,
): DerivedSource | undefined {
  if (!isJsonObject(raw as never)) {
    problem(
      path,
      "is required: { collection: 'tasks', key: 'caseId', where: {...} } or { collection: 'subjects' } for a copy",
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
  const link = linkOf(s, spec, path, problem);
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
