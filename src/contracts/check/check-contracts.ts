import { type Contract, newestVersion } from '../contract.js';
import { applyWaivers } from './apply-waivers.js';
import type { CheckInput, CheckReport, CollectionCheck, RawFinding } from './check-report.js';
import { groupCompatibilityFindings, newestGroup, policyDemandsMore } from './group-compatibility.js';
import { consumerFindings, deprecationFindings, removedFields } from './removed-fields.js';
import { sameJson } from './same-json.js';
import { versionDelta, versionFindings, wholeDocument } from './version-changes.js';

/**
 * `contracts check`: what the current contracts break relative to a baseline. Pure: the caller
 * loads both sets of contracts (from the working tree, a folder or a git ref) and picks the day.
 *
 * Per collection it checks the compatibility of the newest group's versions under the
 * collection's mode and semantics, versions edited in place or removed, consumers that still read
 * a removed field, and fields removed before their deprecation allows. Only what changed since the
 * baseline is reported, so accepted history does not fail every later run; a collection with no
 * baseline contract is new and cannot break anything yet. Waivers turn findings into reported but
 * passing ones until they expire.
 */
export function checkContracts(input: CheckInput): CheckReport {
  const { asOf } = input;
  const baseline = new Map(input.baseline.map((c) => [c.collection, c]));
  const current = new Map(input.current.map((c) => [c.collection, c]));
  const names = [...new Set([...baseline.keys(), ...current.keys()])].sort();
  const collections = names.map((name) => {
    const before = baseline.get(name);
    const now = current.get(name);
    if (!now) return removedCollection(before as Contract, asOf);
    if (!before) return summary(now, 'new', [], asOf, false, ['new collection: no baseline to break']);
    return comparedCollection(before, now, asOf);
  });
  const findings = collections.flatMap((c) => c.findings);
  const failing = findings.filter((f) => f.status === 'failing').length;
  return { asOf, ok: failing === 0, failing, waived: findings.length - failing, collections };
}

function comparedCollection(before: Contract, now: Contract, asOf: string): CollectionCheck {
  const delta = versionDelta(before, now);
  const recheckAll = policyDemandsMore(before.compatibility, now.compatibility);
  const changed = new Set([...delta.added, ...delta.edited.map((e) => e.after.version)]);
  const removed = removedFields(before, now);
  const findings = [
    ...groupCompatibilityFindings(now, recheckAll ? 'all' : changed),
    ...versionFindings(before, now, delta),
    ...consumerFindings(now, removed),
    ...deprecationFindings(before, now, removed, asOf),
  ];
  const notes = recheckAll
    ? [
        `compatibility is stricter than in the baseline (${policy(before)} → ${policy(now)}): ` +
          'every pair of the newest group was checked again',
      ]
    : [];
  return summary(now, sameContract(before, now) ? 'unchanged' : 'changed', findings, asOf, recheckAll, notes);
}

function removedCollection(before: Contract, asOf: string): CollectionCheck {
  const consumers = Object.keys(before.consumers).sort();
  const who = consumers.length > 0 ? `consumers ${consumers.join(', ')} still use it` : 'it has no consumers';
  const finding: RawFinding = {
    ...wholeDocument(before),
    rule: 'collection-removed',
    toVersion: newestVersion(before).version,
    message: `the contract of ${before.collection} was removed, and ${who}; stored documents keep their shape`,
  };
  return summary(before, 'removed', [finding], asOf, false, []);
}

function summary(
  contract: Contract,
  change: CollectionCheck['change'],
  findings: RawFinding[],
  asOf: string,
  recheckedAll: boolean,
  notes: string[],
): CollectionCheck {
  return {
    collection: contract.collection,
    owner: contract.owner,
    mode: contract.compatibility.mode,
    semantics: contract.compatibility.semantics,
    change,
    group: newestVersion(contract).group,
    comparedVersions: newestGroup(contract).map((v) => v.version),
    recheckedAll,
    notes,
    findings: applyWaivers(findings, contract.waivers, asOf),
  };
}

/** Equal in everything but the file they were read from (a baseline is read from a copy). */
const sameContract = (a: Contract, b: Contract) =>
  sameJson({ ...a, file: undefined }, { ...b, file: undefined });

const policy = (c: Contract) => `${c.compatibility.mode}/${c.compatibility.semantics}`;
