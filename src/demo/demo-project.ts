import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { caseManagementModel } from '../example/case-management-model.js';
import { exampleDerived } from '../example/example-derived.js';

/** The name of the demo's one store in the config it writes. */
export const demoStore = 'demo';

/** The collection the demo keeps deleted subjects in: the source `rehydrate` restores them from. */
export const subjectsArchive = 'subjects_archive';

/**
 * What each of the example's references does with an orphan in the demo, one policy of each kind
 * but `flag` and `tombstone` (those leave the reference for a person, so the second scan would not
 * come out clean): tasks, assignments and events of a case that is gone are deleted, with an
 * approval; a missing officer or account is cleared; a missing subject is restored from the archive.
 */
export const demoPolicies: Readonly<
  Record<string, { onMissing: string; owner: string; rehydrateFrom?: string }>
> = {
  'tasks.caseId': { onMissing: 'delete-dependent', owner: 'case-service' },
  'assignments.officerId': { onMissing: 'nullify', owner: 'case-service' },
  'assignments.caseId': { onMissing: 'delete-dependent', owner: 'case-service' },
  'cases.subjectIds': { onMissing: 'rehydrate', owner: 'case-service', rehydrateFrom: subjectsArchive },
  'cases.lead.officerId': { onMissing: 'nullify', owner: 'case-service' },
  'case_events.caseId': { onMissing: 'delete-dependent', owner: 'case-service' },
  'case_list.subjectId': {
    onMissing: 'rehydrate',
    owner: 'case-list-projector',
    rehydrateFrom: subjectsArchive,
  },
  'profiles.accountId': { onMissing: 'nullify', owner: 'profile-service' },
};

/** The two approvers of the demo, whose keys it makes with `steward approvals keygen`. */
export const demoApprovers = [
  { name: 'alice', role: 'owner', owns: ['subject-registry', 'case-service'] },
  { name: 'bob', role: 'dba', owns: [] },
] as const;

/**
 * Writes `steward.config.json` for the demo's SQLite file into `dir`: the example's collections,
 * its references with the demo's policies, its derived state, the contracts and migrations
 * folders, the approvers and the approval policies. Every later step runs commands against it,
 * and it is left behind so the user can run them too. Returns the file's path.
 */
export function writeDemoConfig(dir: string, file: string): string {
  const names = [...Object.keys(caseManagementModel.collections), subjectsArchive];
  const references = Object.fromEntries(
    caseManagementModel.references.map((ref) => {
      const name = `${ref.collection}.${ref.field}`;
      return [name, { target: ref.target, ...demoPolicies[name] }];
    }),
  );
  const config = {
    stores: { [demoStore]: { kind: 'sqlite', file } },
    collections: Object.fromEntries(names.map((name) => [name, { key: 'id' }])),
    references,
    derived: exampleDerived(),
    ledger: { store: demoStore },
    contracts: { dir: 'contracts' },
    migrations: { dir: 'migrations', canaryPercent: 10, batchSize: 500 },
    approvers: Object.fromEntries(
      demoApprovers.map((a) => [
        a.name,
        {
          publicKey: `keys/${a.name}.pub.pem`,
          roles: [a.role],
          ...(a.owns.length > 0 ? { owns: a.owns } : {}),
        },
      ]),
    ),
    approvalPolicies: {
      migrations: { required: 2, includeOwner: true },
      'refs.delete-dependent': { required: 1, includeOwner: true },
    },
  };
  const path = join(dir, 'steward.config.json');
  writeFileSync(path, `${JSON.stringify(config, null, 2)}\n`);
  return path;
}
