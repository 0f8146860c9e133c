import { isJsonObject } from '../core/json.js';
import type { CompatibilityMode } from './compatibility/check-compatibility.js';
import type { Semantics } from './compatibility/compatibility-rules.js';
import { changeKinds, type JsonSchema } from './compatibility/schema-change.js';
import {
  type ConsumerDeclaration,
  type Contract,
  type ContractVersion,
  contractRules,
  type FieldAuthority,
  type FieldDeclaration,
  fieldAuthorities,
  type Waiver,
} from './contract.js';
import { fieldPathsOf } from './field-paths.js';

/** One problem in a contract file: the path inside the file and what is wrong there. */
export interface ContractProblem {
  readonly file: string;
  readonly path: string;
  readonly message: string;
}

export const compatibilityModes: readonly CompatibilityMode[] = [
  'backward',
  'forward',
  'full',
  'backward-transitive',
  'forward-transitive',
  'full-transitive',
];

/**
 * The defaults, and why. Mode `full-transitive`: in a document store nothing expires old
 * documents, so every version ever written may still be read by the newest reader (backward), and
 * services deploy independently, so old readers meet new documents (forward). Semantics `lenient`:
 * see `compatibility-rules.ts`.
 */
export const defaultCompatibility = { mode: 'full-transitive', semantics: 'lenient' } as const;

const namePattern = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const datePattern = /^\d{4}-\d{2}-\d{2}$/;
const knownKeys = [
  '$schema',
  'collection',
  'owner',
  'description',
  'versionField',
  'assumeVersion',
  'compatibility',
  'versions',
  'fields',
  'consumers',
  'waivers',
];

/**
 * Validates one contract as written (with schema file paths already replaced by their content)
 * and returns it parsed, or undefined with the problems added to `problems`. Schemas are checked
 * for shape here; compiling them (validity, `$ref`s) is the loader's job. Pure.
 */
export function parseContract(
  raw: unknown,
  file: string,
  problems: ContractProblem[],
  dereference: (schema: JsonSchema) => JsonSchema = (s) => s,
): Contract | undefined {
  const before = problems.length;
  const problem = (path: string, message: string) => problems.push({ file, path, message });
  if (!isJsonObject(raw)) {
    problem('(root)', 'a contract must be an object with collection, owner and versions');
    return undefined;
  }
  for (const key of Object.keys(raw)) {
    if (!knownKeys.includes(key))
      problem(key, `is not a contract setting (expected ${knownKeys.slice(1).join(', ')})`);
  }
  const collection = text(raw.collection, 'collection', problem);
  if (collection !== undefined && !namePattern.test(collection))
    problem('collection', 'use letters, digits, "_", "-" and "."');
  const owner = text(raw.owner, 'owner', problem);
  const versionField =
    raw.versionField === undefined ? 'schemaVersion' : text(raw.versionField, 'versionField', problem);
  const compatibility = parseCompatibility(raw.compatibility, problem);
  const versions = parseVersions(raw.versions, problem, dereference);
  const declared = new Set<string>();
  for (const v of versions) for (const path of fieldPathsOf(v.resolved)) declared.add(path);
  const assumeVersion = parseAssumeVersion(raw.assumeVersion, versions, problem);
  const fields = parseFields(raw.fields, declared, problem);
  const consumers = parseConsumers(raw.consumers, declared, collection ?? '', problem);
  const waivers = parseWaivers(raw.waivers, problem);
  if (problems.length > before) return undefined;
  return {
    collection: collection as string,
    owner: owner as string,
    ...(typeof raw.description === 'string' ? { description: raw.description } : {}),
    versionField: versionField as string,
    ...(assumeVersion === undefined ? {} : { assumeVersion }),
    compatibility,
    versions,
    fields,
    consumers,
    waivers,
    file,
  };
}

type Problem = (path: string, message: string) => void;

/** `assumeVersion`: absent, or one of the declared versions (documents must be readable as it). */
function parseAssumeVersion(
  value: unknown,
  versions: readonly ContractVersion[],
  problem: Problem,
): number | undefined {
  if (value === undefined) return undefined;
  const declared = versions.map((v) => v.version);
  if (typeof value === 'number' && declared.includes(value)) return value;
  problem(
    'assumeVersion',
    `must be one of the declared versions (${declared.join(', ')}), the version of documents without a version field; got ${JSON.stringify(value)}`,
  );
  return undefined;
}

function text(value: unknown, path: string, problem: Problem): string | undefined {
  if (typeof value === 'string' && value.trim() !== '') return value;
  problem(path, value === undefined ? 'is required' : 'must be a non-empty string');
  return undefined;
}

function parseCompatibility(raw: unknown, problem: Problem): Contract['compatibility'] {
  if (raw === undefined) return defaultCompatibility;
  if (!isJsonObject(raw)) {
    problem('compatibility', 'must be { mode, semantics }');
    return defaultCompatibility;
  }
  const mode = raw.mode ?? defaultCompatibility.mode;
  const semantics = raw.semantics ?? defaultCompatibility.semantics;
  if (!compatibilityModes.includes(mode as CompatibilityMode))
    problem(
      'compatibility.mode',
      `must be one of ${compatibilityModes.join(', ')} (got ${JSON.stringify(mode)})`,
    );
  if (semantics !== 'strict' && semantics !== 'lenient')
    problem('compatibility.semantics', `must be "strict" or "lenient" (got ${JSON.stringify(semantics)})`);
  return { mode: mode as CompatibilityMode, semantics: semantics as Semantics };
}

function parseVersions(
  raw: unknown,
  problem: Problem,
  dereference: (schema: JsonSchema) => JsonSchema,
): ContractVersion[] {
  if (!Array.isArray(raw) || raw.length === 0) {
    problem('versions', 'must list at least one version: [{ version: 1, schema: {...} }]');
    return [];
  }
  const out: ContractVersion[] = [];
  let group = 1;
  for (const [i, entry] of raw.entries()) {
    const path = `versions[${i}]`;
    if (!isJsonObject(entry)) {
      problem(path, 'must be { version, schema }');
      continue;
    }
    const version = entry.version;
    if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
      problem(`${path}.version`, 'must be a positive integer');
      continue;
    }
    const previous = out[out.length - 1];
    if (previous && version <= previous.version)
      problem(`${path}.version`, `must be greater than the version before it (${previous.version})`);
    const schema = entry.schema;
    if (typeof schema !== 'boolean' && !isJsonObject(schema)) {
      problem(`${path}.schema`, 'must be a JSON Schema object or the path of a .json schema file');
      continue;
    }
    const reason = entry.startsCompatibilityGroup;
    if (reason !== undefined) {
      if (typeof reason !== 'string' || reason.trim() === '')
        problem(`${path}.startsCompatibilityGroup`, 'must be the reason for the breaking change, as text');
      else if (i === 0)
        problem(`${path}.startsCompatibilityGroup`, 'the first version already starts a group');
      else group++;
    }
    const resolved = dereference(schema);
    out.push({
      version,
      schema,
      resolved,
      group,
      ...(typeof reason === 'string' ? { groupReason: reason } : {}),
    });
  }
  return out;
}

function parseFields(
  raw: unknown,
  declared: Set<string>,
  problem: Problem,
): Record<string, FieldDeclaration> {
  const out: Record<string, FieldDeclaration> = {};
  if (raw === undefined) return out;
  if (!isJsonObject(raw)) {
    problem('fields', 'must be an object of field declarations by field path');
    return out;
  }
  for (const [field, entry] of Object.entries(raw)) {
    const path = `fields.${field}`;
    if (!declared.has(field)) problem(path, `names a field that no version's schema declares`);
    if (!isJsonObject(entry)) {
      problem(path, 'must be an object such as { authority: "snapshot", source: "officers.name" }');
      continue;
    }
    const authority = (entry.authority ?? 'authoritative') as FieldAuthority;
    if (!fieldAuthorities.includes(authority))
      problem(`${path}.authority`, `must be one of ${fieldAuthorities.join(', ')}`);
    const declaration: { -readonly [K in keyof FieldDeclaration]: FieldDeclaration[K] } = { authority };
    if (entry.source !== undefined) {
      const match = typeof entry.source === 'string' ? /^([^.]+)\.(.+)$/.exec(entry.source) : null;
      if (!match) problem(`${path}.source`, 'must be "<collection>.<field>"');
      else
        declaration.source = {
          collection: match[1] as string,
          field: match[2] as string,
          ...(typeof entry.via === 'string' ? { via: entry.via } : {}),
        };
    }
    if (entry.via !== undefined && (typeof entry.via !== 'string' || !declared.has(entry.via)))
      problem(`${path}.via`, 'must name a field of this collection that holds the source key');
    for (const key of ['freshness', 'references'] as const) {
      if (entry[key] === undefined) continue;
      if (typeof entry[key] === 'string') declaration[key] = entry[key];
      else problem(`${path}.${key}`, 'must be a string');
    }
    if (entry.deprecated !== undefined) {
      const d = entry.deprecated;
      if (!isJsonObject(d)) problem(`${path}.deprecated`, 'must be { removeAfter: "YYYY-MM-DD", reason }');
      else {
        const removeAfter = date(d.removeAfter, `${path}.deprecated.removeAfter`, problem);
        const reason = text(d.reason, `${path}.deprecated.reason`, problem);
        if (removeAfter && reason)
          declaration.deprecated = {
            removeAfter,
            reason,
            ...(typeof d.replacement === 'string' ? { replacement: d.replacement } : {}),
          };
      }
    }
    out[field] = declaration;
  }
  return out;
}

function parseConsumers(
  raw: unknown,
  declared: Set<string>,
  collection: string,
  problem: Problem,
): Record<string, ConsumerDeclaration> {
  const out: Record<string, ConsumerDeclaration> = {};
  if (raw === undefined) return out;
  if (!isJsonObject(raw)) {
    problem('consumers', 'must be an object of { reads, writes } by service name');
    return out;
  }
  for (const [service, entry] of Object.entries(raw)) {
    const path = `consumers.${service}`;
    if (!isJsonObject(entry)) {
      problem(path, 'must be { reads: [fields], writes: [fields] }');
      continue;
    }
    const lists = { reads: [] as string[], writes: [] as string[] };
    for (const key of ['reads', 'writes'] as const) {
      const list = entry[key] ?? [];
      if (!Array.isArray(list) || list.some((f) => typeof f !== 'string')) {
        problem(`${path}.${key}`, 'must be a list of field paths');
        continue;
      }
      for (const field of list as string[]) {
        if (!declared.has(field))
          problem(`${path}.${key}`, `"${field}" is not a field of any version of ${collection}`);
      }
      lists[key] = list as string[];
    }
    out[service] = lists;
  }
  return out;
}

function parseWaivers(raw: unknown, problem: Problem): Waiver[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    problem('waivers', 'must be a list of { rule, path, reason, expires }');
    return [];
  }
  const rules: readonly string[] = [...changeKinds, ...contractRules];
  const out: Waiver[] = [];
  for (const [i, entry] of raw.entries()) {
    const path = `waivers[${i}]`;
    if (!isJsonObject(entry)) {
      problem(path, 'must be { rule, path, reason, expires }');
      continue;
    }
    const rule = entry.rule;
    if (typeof rule !== 'string' || !rules.includes(rule))
      problem(`${path}.rule`, `must be a rule of the rules table (got ${JSON.stringify(rule)})`);
    const at = typeof entry.path === 'string' ? entry.path : undefined;
    if (at === undefined) problem(`${path}.path`, 'must be the path the check reported');
    const reason = text(entry.reason, `${path}.reason`, problem);
    const expires = date(entry.expires, `${path}.expires`, problem);
    if (typeof rule === 'string' && at !== undefined && reason && expires)
      out.push({ rule: rule as Waiver['rule'], path: at, reason, expires });
  }
  return out;
}

function date(value: unknown, path: string, problem: Problem): string | undefined {
  if (typeof value === 'string' && datePattern.test(value) && !Number.isNaN(Date.parse(value))) return value;
  problem(path, value === undefined ? 'is required (YYYY-MM-DD)' : 'must be a date written YYYY-MM-DD');
  return undefined;
}
