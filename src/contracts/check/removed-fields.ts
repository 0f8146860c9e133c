import { type Contract, type Deprecation, newestVersion } from '../contract.js';
import { fieldPathsOf, pathsOverlap } from '../field-paths.js';
import { affectedServices, fieldPathToPointer, readersOf } from './affected-services.js';
import type { RawFinding } from './check-report.js';
import { daysBetween } from './dates.js';

/**
 * The fields the newest version had in the baseline and no longer has, sorted. Fields inside a
 * removed field are listed too (`lead` and `lead.officerId`).
 */
export function removedFields(baseline: Contract, current: Contract): string[] {
  const now = fieldPathsOf(newestVersion(current).resolved);
  return [...fieldPathsOf(newestVersion(baseline).resolved)].filter((f) => !now.has(f)).sort();
}

/**
 * `consumer-reads-removed-field`: one finding per removed field and consumer that still declares
 * it reads the field (or a part of it, or its parent). Schema semantics do not matter here: the
 * consumer said it reads the field, and the newest writers no longer write it. A field inside a
 * removed field is reported through its removed parent, once.
 */
export function consumerFindings(current: Contract, removed: readonly string[]): RawFinding[] {
  const roots = removed.filter((f) => !removed.some((p) => p !== f && f.startsWith(p) && pathsOverlap(f, p)));
  const newest = newestVersion(current).version;
  return roots.flatMap((field) =>
    readersOf(current, field).map((consumer) => ({
      ...located(current, field),
      rule: 'consumer-reads-removed-field' as const,
      toVersion: newest,
      consumer,
      message:
        `${field} is gone from version ${newest}, but consumer ${consumer} still declares it reads it; ` +
        `move ${consumer} off the field and drop it from its reads first`,
    })),
  );
}

/**
 * `deprecated-field-removed-early`: a removed field whose deprecation, in the baseline or now,
 * announced a removal date still in the future on `asOf`. Consumers were promised the field
 * until that day.
 */
export function deprecationFindings(
  baseline: Contract,
  current: Contract,
  removed: readonly string[],
  asOf: string,
): RawFinding[] {
  const out: RawFinding[] = [];
  for (const field of removed) {
    const deprecated = current.fields[field]?.deprecated ?? baseline.fields[field]?.deprecated;
    if (!deprecated || deprecated.removeAfter <= asOf) continue;
    out.push({
      ...located(current, field),
      rule: 'deprecated-field-removed-early',
      toVersion: newestVersion(current).version,
      message: earlyMessage(field, deprecated, asOf),
    });
  }
  return out;
}

function earlyMessage(field: string, d: Deprecation, asOf: string): string {
  const days = daysBetween(asOf, d.removeAfter);
  return (
    `${field} was removed ${days} day(s) early: its deprecation (${d.reason}) allows removal from ` +
    `${d.removeAfter}; keep it in the newest version until then`
  );
}

function located(contract: Contract, field: string) {
  return {
    collection: contract.collection,
    path: fieldPathToPointer(field),
    field,
    affected: affectedServices(contract, field),
    owner: contract.owner,
  };
}
