import { type CompatibilityMode, checkCompatibility } from '../compatibility/check-compatibility.js';
import type { Direction } from '../compatibility/compatibility-rules.js';
import { type Contract, type ContractVersion, newestVersion } from '../contract.js';
import type { RawFinding } from './check-report.js';
import { compatibilityFinding } from './compatibility-finding.js';

/** The versions of the newest compatibility group: the only ones the newest must stay compatible with. */
export function newestGroup(contract: Contract): ContractVersion[] {
  const group = newestVersion(contract).group;
  return contract.versions.filter((v) => v.group === group);
}

/**
 * The compatibility findings inside the newest group of `contract`. Every version of the group is
 * checked against the ones before it (as the mode asks), so a pull request that adds two versions
 * has both checked. Only pairs with a version in `changed` are reported, or every pair when
 * `changed` is `'all'`: pairs of accepted versions were accepted when they were added, and
 * reporting them again would fail every later run of the check.
 */
export function groupCompatibilityFindings(
  contract: Contract,
  changed: ReadonlySet<number> | 'all',
): RawFinding[] {
  const group = newestGroup(contract);
  const { mode, semantics } = contract.compatibility;
  const out: RawFinding[] = [];
  for (let newest = 1; newest < group.length; newest++) {
    const prefix = group.slice(0, newest + 1);
    // A prefix of accepted versions only holds accepted pairs: skip the diff altogether.
    if (changed !== 'all' && !prefix.some((v) => changed.has(v.version))) continue;
    const { violations } = checkCompatibility({ versions: prefix.map((v) => v.resolved), mode, semantics });
    for (const violation of violations) {
      const from = (prefix[violation.fromVersion - 1] as ContractVersion).version;
      const to = (prefix[violation.toVersion - 1] as ContractVersion).version;
      if (changed !== 'all' && !changed.has(from) && !changed.has(to)) continue;
      const pair = { fromVersion: from, toVersion: to, fromName: `version ${from}`, toName: `version ${to}` };
      out.push(compatibilityFinding(contract, violation, pair));
    }
  }
  return out;
}

/**
 * True when the `after` policy demands something `before` did not: strict semantics where they
 * were lenient, a direction that was not checked, or transitive where it was not. Then pairs the
 * baseline accepted under the looser policy have to be checked again.
 */
export function policyDemandsMore(
  before: Contract['compatibility'],
  after: Contract['compatibility'],
): boolean {
  if (before.semantics === 'lenient' && after.semantics === 'strict') return true;
  const old = directionsOf(before.mode);
  if (directionsOf(after.mode).some((d) => !old.includes(d))) return true;
  return isTransitive(after.mode) && !isTransitive(before.mode);
}

function directionsOf(mode: CompatibilityMode): Direction[] {
  if (mode.startsWith('backward')) return ['backward'];
  if (mode.startsWith('forward')) return ['forward'];
  return ['backward', 'forward'];
}

const isTransitive = (mode: CompatibilityMode) => mode.endsWith('-transitive');
