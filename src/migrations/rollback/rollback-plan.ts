import { StewardError } from '../../errors/steward-error.js';
import type { ChangelogRecord } from '../changelog.js';

/**
 * Which migrations a rollback reverses, newest first: without `to`, the last one applied (or
 * being applied, or being rolled back); with `to`, every one from the last back to `to`,
 * inclusive. Throws `usage` when `to` names a migration that is not applied. Pure.
 */
export function rollbackTargets(records: readonly ChangelogRecord[], to?: string): string[] {
  const active = records
    .filter((r) => r.status !== 'rolled-back')
    .map((r) => r.id)
    .sort();
  if (to === undefined) return active.slice(-1);
  if (!active.includes(to)) {
    const applied = active.length > 0 ? `applied: ${active.join(', ')}` : 'nothing is applied';
    throw new StewardError('usage', `--to ${to}: that migration is not applied (${applied})`, { to });
  }
  return active.filter((id) => id >= to).reverse();
}
