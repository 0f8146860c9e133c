import { checkCompatibility } from '../compatibility/check-compatibility.js';
import type { Contract, ContractVersion } from '../contract.js';
import { affectedServices } from './affected-services.js';
import type { RawFinding } from './check-report.js';
import { compatibilityFinding } from './compatibility-finding.js';
import { newestGroup } from './group-compatibility.js';
import { sameJson } from './same-json.js';

/** A version present in both the baseline and the current contract, changed in place. */
export interface EditedVersion {
  readonly before: ContractVersion;
  readonly after: ContractVersion;
  /** The schema (with `$ref`s inlined) differs. */
  readonly schemaEdited: boolean;
  /** The version started no group and now starts one, or the other way round. */
  readonly groupEdited: boolean;
}

/** How the versions of a collection moved between the baseline and now. */
export interface VersionDelta {
  readonly added: readonly number[];
  readonly edited: readonly EditedVersion[];
  readonly removed: readonly ContractVersion[];
}

/**
 * Compares the versions of a collection by number. A version is edited when its schema, with
 * `$ref`s inlined, differs as canonical JSON (a shared schema changed under it counts too), or
 * when it gained or lost `startsCompatibilityGroup`, which re-partitions the history. The version
 * that is now the first one is exempt from the latter: the first version starts a group anyway, and
 * the marker has to go once the versions before it are retired.
 */
export function versionDelta(baseline: Contract, current: Contract): VersionDelta {
  const before = new Map(baseline.versions.map((v) => [v.version, v]));
  const now = new Set(current.versions.map((v) => v.version));
  const added: number[] = [];
  const edited: EditedVersion[] = [];
  for (const after of current.versions) {
    const old = before.get(after.version);
    if (!old) {
      added.push(after.version);
      continue;
    }
    const schemaEdited = !sameJson(old.resolved, after.resolved);
    const groupEdited =
      after !== current.versions[0] && (old.groupReason === undefined) !== (after.groupReason === undefined);
    if (schemaEdited || groupEdited) edited.push({ before: old, after, schemaEdited, groupEdited });
  }
  const removed = baseline.versions.filter((v) => !now.has(v.version));
  return { added, edited, removed };
}

/**
 * The findings about versions themselves: `version-edited` for each version changed in place,
 * with the compatibility violations between what it was and what it is now, and
 * `version-removed` for each version dropped while it is still in the newest group.
 */
export function versionFindings(baseline: Contract, current: Contract, delta: VersionDelta): RawFinding[] {
  const out: RawFinding[] = [];
  for (const e of delta.edited) out.push(editedFinding(current, e), ...editedViolations(current, e));
  for (const v of delta.removed.filter((r) => !retired(r, baseline, current))) {
    out.push(removedFinding(current, v));
  }
  return out;
}

/**
 * True when a removed version lies before the start of the newest group, and that group was
 * started on purpose (with `startsCompatibilityGroup`, now or in the baseline): its documents were
 * left behind deliberately, with a reason.
 */
function retired(removed: ContractVersion, baseline: Contract, current: Contract): boolean {
  const start = newestGroup(current)[0] as ContractVersion;
  const startedBefore = baseline.versions.find((v) => v.version === start.version)?.groupReason;
  return removed.version < start.version && (start.groupReason ?? startedBefore) !== undefined;
}

function editedFinding(contract: Contract, e: EditedVersion): RawFinding {
  const n = e.after.version;
  const what = [
    ...(e.schemaEdited ? ['its schema changed'] : []),
    ...(e.groupEdited ? ['whether it starts a compatibility group changed'] : []),
  ].join(' and ');
  return {
    ...wholeDocument(contract),
    rule: 'version-edited',
    fromVersion: n,
    toVersion: n,
    message:
      `version ${n} was edited in place (${what}); documents already written as version ${n} ` +
      'were written to the old definition: publish the change as a new version instead',
  };
}

function editedViolations(contract: Contract, e: EditedVersion): RawFinding[] {
  if (!e.schemaEdited) return [];
  const n = e.after.version;
  const { mode, semantics } = contract.compatibility;
  const versions = [e.before.resolved, e.after.resolved];
  const pair = {
    fromVersion: n,
    toVersion: n,
    fromName: `version ${n} as released`,
    toName: `version ${n} as now written`,
  };
  return checkCompatibility({ versions, mode, semantics }).violations.map((v) =>
    compatibilityFinding(contract, v, pair),
  );
}

function removedFinding(contract: Contract, v: ContractVersion): RawFinding {
  return {
    ...wholeDocument(contract),
    rule: 'version-removed',
    fromVersion: v.version,
    message:
      `version ${v.version} was removed, but it belongs to the newest compatibility group, so stored ` +
      'documents may still carry it; keep it, or migrate its documents and start a new compatibility group',
  };
}

/** The location and audience of a finding about the whole document: every consumer is affected. */
export function wholeDocument(
  contract: Contract,
): Pick<RawFinding, 'collection' | 'path' | 'field' | 'affected' | 'owner'> {
  return {
    collection: contract.collection,
    path: '',
    field: '',
    affected: affectedServices(contract, ''),
    owner: contract.owner,
  };
}
