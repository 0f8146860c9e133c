import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ContractDefinition, FieldAuthority } from '../contracts/contract.js';
import {
  caseManagementModel,
  type ExampleCollectionName,
  exampleCollectionNames,
} from './case-management-model.js';

/**
 * The example's data contracts: who owns each collection, who reads which fields, and which fields
 * are copies, projections or aggregates of another collection. References and derived fields come
 * from the model, so the contracts and the generator cannot disagree.
 */
const owners: Record<ExampleCollectionName, string> = {
  officers: 'officer-directory',
  subjects: 'subject-registry',
  accounts: 'identity',
  cases: 'case-service',
  tasks: 'case-service',
  assignments: 'case-service',
  case_events: 'case-service',
  case_list: 'case-list-projector',
  profiles: 'profile-service',
};

const consumers: Partial<Record<ExampleCollectionName, Record<string, { reads: string[] }>>> = {
  officers: { 'case-service': { reads: ['name', 'active'] } },
  subjects: {
    'case-list-projector': { reads: ['name'] },
    'case-service': { reads: ['name', 'kind', 'riskRating'] },
  },
  accounts: { 'profile-service': { reads: ['status'] } },
  cases: {
    'case-list-projector': { reads: ['referenceNo', 'status', 'subjectIds'] },
    reporting: { reads: ['status', 'priority', 'tenantId', 'openedAt', 'closedAt'] },
  },
  tasks: {
    'case-list-projector': { reads: ['caseId', 'status', 'dueAt'] },
    notifications: { reads: ['title', 'status', 'dueAt'] },
  },
  assignments: { reporting: { reads: ['officerId', 'role'] } },
  case_events: { 'audit-export': { reads: ['caseId', 'type', 'at', 'note'] } },
  case_list: {
    'case-portal': { reads: ['referenceNo', 'status', 'subjectName', 'openTaskCount', 'overdueTaskCount'] },
  },
  profiles: { notifications: { reads: ['displayName', 'email', 'locale'] } },
};

type FieldEntry = NonNullable<ContractDefinition['fields']>[string];

/** The contracts of the case-management example, one per collection. */
export function exampleContracts(): ContractDefinition[] {
  return exampleCollectionNames.map((name) => {
    const fields: Record<string, FieldEntry> = {};
    for (const ref of caseManagementModel.references.filter((r) => r.collection === name)) {
      fields[ref.field] = { references: ref.target };
    }
    for (const d of caseManagementModel.derived.filter((f) => f.collection === name)) {
      const authority: FieldAuthority =
        d.kind === 'count' ? 'aggregate' : name === 'case_list' ? 'projection' : 'snapshot';
      fields[d.field] = {
        ...fields[d.field],
        authority,
        source: `${d.source}.${d.sourceField}`,
        ...(d.kind === 'copy' ? { via: d.via } : {}),
        freshness: d.kind === 'count' ? '5m' : '1h',
      };
    }
    const c = caseManagementModel.collections[name];
    return {
      collection: name,
      owner: owners[name],
      versions: [{ version: c.schemaVersion, schema: c.schema }],
      ...(Object.keys(fields).length > 0 ? { fields } : {}),
      ...(consumers[name] ? { consumers: consumers[name] } : {}),
    };
  });
}

/** Writes the example's contracts to `dir` as `<collection>.contract.json`, the canonical form. */
export function writeExampleContracts(dir: string, contracts = exampleContracts()): string[] {
  mkdirSync(dir, { recursive: true });
  return contracts.map((contract) => {
    const file = join(dir, `${contract.collection}.contract.json`);
    writeFileSync(file, `${JSON.stringify(contract, null, 2)}\n`);
    return file;
  });
}
