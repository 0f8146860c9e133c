import { type Contract, newestVersion } from '../contract.js';
import { fieldPathsOf } from '../field-paths.js';
import { readersOf } from './affected-services.js';
import { daysBetween } from './dates.js';

/** One deprecated field, and how far along its removal is. */
export interface DeprecationEntry {
  readonly collection: string;
  readonly field: string;
  readonly owner: string;
  /** The first day the field may be removed, `YYYY-MM-DD`. */
  readonly removeAfter: string;
  /** Days from the as-of day to `removeAfter`: 0 on the day, negative once it has passed. */
  readonly daysLeft: number;
  /** `due` from `removeAfter` on: the field may be removed once nobody reads it. */
  readonly status: 'due' | 'not-yet';
  readonly reason: string;
  readonly replacement?: string;
  /** Consumers that still declare they read the field: each one blocks its removal. */
  readonly readers: readonly string[];
  /** True when the newest version no longer has the field. */
  readonly removed: boolean;
}

/**
 * Every deprecated field of `contracts` on `asOf`, soonest removal first: the to-do list of
 * owners (remove what is due and no longer read) and of consumers (stop reading what is due). Pure.
 */
export function listDeprecations(contracts: readonly Contract[], asOf: string): DeprecationEntry[] {
  const out: DeprecationEntry[] = [];
  for (const contract of contracts) {
    const newest = fieldPathsOf(newestVersion(contract).resolved);
    for (const [field, declaration] of Object.entries(contract.fields)) {
      const d = declaration.deprecated;
      if (!d) continue;
      const daysLeft = daysBetween(asOf, d.removeAfter);
      out.push({
        collection: contract.collection,
        field,
        owner: contract.owner,
        removeAfter: d.removeAfter,
        daysLeft,
        status: daysLeft <= 0 ? 'due' : 'not-yet',
        reason: d.reason,
        ...(d.replacement !== undefined ? { replacement: d.replacement } : {}),
        readers: readersOf(contract, field),
        removed: !newest.has(field),
      });
    }
  }
  return out.sort(
    (a, b) =>
      a.removeAfter.localeCompare(b.removeAfter) ||
      a.collection.localeCompare(b.collection) ||
      a.field.localeCompare(b.field),
  );
}
