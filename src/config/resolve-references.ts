import { referencePath } from '../contracts/reference-agreement.js';
import { parseDuration } from '../core/duration.js';
import { isJsonObject } from '../core/json.js';
import {
  type BreakerSettings,
  defaultBreaker,
  resolveBreaker,
} from '../integrity/breaker/breaker-settings.js';
import {
  type MissingTargetPolicy,
  missingTargetPolicies,
  type ResolvedReference,
} from '../integrity/reference.js';
import type { ResolvedCollection } from './resolved-config.js';

type Problem = (path: string, message: string) => void;

/** Dotted steps, each optionally marked `[]` as an array: `lines[].sku`, `subjectIds`, `lead.officerId`. */
const referencePathPattern = /^[^.[\]]+(\[\])?(\.[^.[\]]+(\[\])?)*$/;

/**
 * Resolves the config's `references`, keyed `<collection>.<field>`. A field inside the elements of
 * an array is written with `[]` (`'orders.lines[].sku'`), as contracts write it: the canonical form.
 * The dotted form (`'orders.lines.sku'`) is accepted as the same reference, silently: a reference
 * path walks every array it meets, so both read the same values, and the name stays as written
 * (incidents and checkpoints are kept under it). `field` is the dotted path documents are read by.
 *
 * ```ts
 * references: {
 *   'profiles.accountId': { target: 'accounts', owner: 'profile-service', onMissing: 'tombstone' },
 *   'cases.subjectIds': { target: 'subjects', onMissing: 'flag', revalidateAfter: '7d' },
 * }
 * ```
 */
export function resolveReferences(
  raw: unknown,
  collections: ReadonlyMap<string, ResolvedCollection>,
  problem: Problem,
  integrity?: unknown,
): Map<string, ResolvedReference> {
  const out = new Map<string, ResolvedReference>();
  const breaker = resolveIntegrity(integrity, problem);
  if (raw === undefined) return out;
  if (!isJsonObject(raw)) {
    problem('references', "must be an object of references keyed '<collection>.<field>'");
    return out;
  }
  const known = () => [...collections.keys()].join(', ') || 'none';
  for (const [name, settings] of Object.entries(raw)) {
    const path = `references.${name}`;
    const dot = name.indexOf('.');
    const collection = dot > 0 ? name.slice(0, dot) : '';
    const written = dot > 0 ? name.slice(dot + 1) : '';
    if (!collection || !written) {
      problem(path, "a reference is keyed '<collection>.<field>', such as 'profiles.accountId'");
      continue;
    }
    if (!referencePathPattern.test(written)) {
      problem(
        path,
        `"${written}" is not a field path: write a field inside the elements of an array with [] (${collection}.lines[].sku), as contracts do`,
      );
      continue;
    }
    // Documents are read by the dotted path: the scan walks every array it meets.
    const field = referencePath(written);
    if (!collections.has(collection))
      problem(path, `names collection "${collection}", which is not in "collections" (known: ${known()})`);
    if (!isJsonObject(settings)) {
      problem(path, "must be an object such as { target: 'accounts', onMissing: 'flag' }");
      continue;
    }
    const target = settings.target;
    if (typeof target !== 'string' || !collections.has(target))
      problem(`${path}.target`, `must name a collection in "collections" (known: ${known()})`);
    const onMissing = (settings.onMissing ?? 'flag') as MissingTargetPolicy;
    if (!missingTargetPolicies.includes(onMissing))
      problem(`${path}.onMissing`, `must be one of ${missingTargetPolicies.join(', ')}`);
    const rehydrateFrom = settings.rehydrateFrom;
    if (onMissing === 'rehydrate' && (typeof rehydrateFrom !== 'string' || !collections.has(rehydrateFrom)))
      problem(
        `${path}.rehydrateFrom`,
        'is required with onMissing "rehydrate": a collection in "collections"',
      );
    if (settings.required !== undefined && typeof settings.required !== 'boolean')
      problem(`${path}.required`, 'must be true or false');
    if (settings.owner !== undefined && typeof settings.owner !== 'string')
      problem(`${path}.owner`, 'must be the name of a service');
    const revalidateAfterMs = duration(settings.revalidateAfter, `${path}.revalidateAfter`, problem);
    // Set only when configured, so a reference declared without one resolves as it always did.
    const own =
      settings.breaker === undefined && breaker === undefined
        ? undefined
        : resolveBreaker(settings.breaker, `${path}.breaker`, breaker ?? defaultBreaker, problem);
    out.set(name, {
      name,
      collection,
      field,
      target: target as string,
      owner: typeof settings.owner === 'string' ? settings.owner : 'unowned',
      onMissing,
      required: settings.required === true,
      ...(revalidateAfterMs === undefined ? {} : { revalidateAfterMs }),
      ...(typeof rehydrateFrom === 'string' ? { rehydrateFrom } : {}),
      ...(own ? { breaker: own } : {}),
    });
  }
  return out;
}

/** The config's `integrity` settings: for now the circuit breaker every reference starts from. */
function resolveIntegrity(raw: unknown, problem: Problem): BreakerSettings | undefined {
  if (raw === undefined) return undefined;
  if (!isJsonObject(raw)) {
    problem('integrity', 'must be an object such as { breaker: { maxOrphanRate: 0.05 } }');
    return undefined;
  }
  for (const key of Object.keys(raw))
    if (key !== 'breaker') problem(`integrity.${key}`, 'is not a known setting (expected breaker)');
  return resolveBreaker(raw.breaker, 'integrity.breaker', defaultBreaker, problem);
}

function duration(value: unknown, path: string, problem: Problem): number | undefined {
  if (value === undefined) return undefined;
  const ms = typeof value === 'string' ? parseDuration(value) : undefined;
  if (ms === undefined) problem(path, 'must be a duration such as "90s", "15m", "12h" or "7d"');
  return ms;
}
