import type { Filter } from '../core/filter.js';
import type { JsonObject } from '../core/json.js';
import type { CollectionSpec } from '../stores/store.js';

/**
 * The example data model: a regulatory case-management system (case files, their tasks,
 * subjects, officers, assignments and events, plus a case-list projection) and, from a second
 * service, user profiles holding a soft reference to an account.
 *
 * Everything here is plain data, so the generator, the tests, the benchmarks and later
 * capabilities (contracts, integrity, derived) read the same description. Nothing here does I/O.
 */
export interface ExampleModel {
  readonly collections: { readonly [name in ExampleCollectionName]: ExampleCollection };
  readonly references: readonly ExampleReference[];
  readonly derived: readonly ExampleDerivedField[];
  /** The "now" the example is generated for: overdue means due before this instant. */
  readonly asOf: string;
}

/** Names of the example's collections. */
export type ExampleCollectionName =
  | 'officers'
  | 'subjects'
  | 'accounts'
  | 'cases'
  | 'tasks'
  | 'assignments'
  | 'case_events'
  | 'case_list'
  | 'profiles';

/** One collection: where it lives, the schema version its documents carry, and their shape. */
export interface ExampleCollection {
  readonly spec: CollectionSpec;
  /** Value of every document's `schemaVersion` field. */
  readonly schemaVersion: number;
  /** The declared shape, as a JSON Schema (draft-07 subset Ajv accepts by default). */
  readonly schema: JsonObject;
}

/**
 * A soft reference: `field` (a dotted path) of documents in `collection` holds a key of `target`.
 * With `many`, the field holds an array of keys, each of which is a reference.
 */
export interface ExampleReference {
  readonly collection: ExampleCollectionName;
  readonly field: string;
  readonly target: ExampleCollectionName;
  readonly many: boolean;
}

/**
 * Derived state: a stored value computed or copied from an authoritative source.
 *
 * `count`: the number of `source` documents whose `sourceField` holds this document's key and
 * that match `where` (portable filter language). `copy`: the value of `sourceField` in the
 * `source` document whose key is in this document's `via` field. A copy whose source document
 * does not exist is an orphan of `via`, not drift.
 */
export type ExampleDerivedField =
  | {
      readonly kind: 'count';
      readonly collection: ExampleCollectionName;
      readonly field: string;
      readonly source: ExampleCollectionName;
      readonly sourceField: string;
      readonly where: Filter;
    }
  | {
      readonly kind: 'copy';
      readonly collection: ExampleCollectionName;
      readonly field: string;
      readonly via: string;
      readonly source: ExampleCollectionName;
      readonly sourceField: string;
    };

const asOf = '2026-07-01T00:00:00.000Z';
const openStatuses = ['open', 'in_progress'];

const str = { type: 'string' };
const int = { type: 'integer' };
const bool = { type: 'boolean' };
const strings = { type: 'array', items: str };
const nullableStr = { type: ['string', 'null'] };

/** An object schema; every listed property is required unless `optional` names it. */
function shape(properties: JsonObject, optional: readonly string[] = []): JsonObject {
  const required = Object.keys(properties).filter((name) => !optional.includes(name));
  return {
    type: 'object',
    properties: { id: str, schemaVersion: int, ...properties },
    required: ['id', 'schemaVersion', ...required],
  };
}

function collection(name: ExampleCollectionName, schema: JsonObject): ExampleCollection {
  return { spec: { name, keyField: 'id' }, schemaVersion: 1, schema };
}

/** The case-management example, described as data. */
export const caseManagementModel: ExampleModel = {
  asOf,
  collections: {
    officers: collection('officers', shape({ name: str, unit: str, email: str, active: bool })),
    subjects: collection(
      'subjects',
      shape({
        name: str,
        kind: { enum: ['organisation', 'person'] },
        registrationNo: str,
        riskRating: int,
        address: { type: 'object', properties: { city: str, postcode: str }, required: ['city'] },
      }),
    ),
    accounts: collection('accounts', shape({ status: str, plan: str, createdAt: str })),
    cases: collection(
      'cases',
      shape({
        referenceNo: str,
        status: str,
        tenantId: int,
        priority: int,
        subjectIds: { type: 'array', items: str, minItems: 1 },
        lead: { type: 'object', properties: { officerId: str, since: str }, required: ['officerId'] },
        assignedOfficerName: str,
        tags: strings,
        openedAt: str,
        closedAt: nullableStr,
      }),
    ),
    tasks: collection(
      'tasks',
      shape({ caseId: str, title: str, status: str, priority: int, dueAt: str, createdAt: str }),
    ),
    assignments: collection(
      'assignments',
      shape({ caseId: str, officerId: str, role: str, assignedAt: str }),
    ),
    case_events: collection('case_events', shape({ caseId: str, type: str, at: str, note: str }, ['note'])),
    case_list: collection(
      'case_list',
      shape({
        referenceNo: str,
        status: str,
        subjectId: str,
        subjectName: str,
        openTaskCount: int,
        overdueTaskCount: int,
        projectedAt: str,
      }),
    ),
    profiles: collection('profiles', shape({ accountId: str, displayName: str, email: str, locale: str })),
  },
  references: [
    { collection: 'tasks', field: 'caseId', target: 'cases', many: false },
    { collection: 'assignments', field: 'officerId', target: 'officers', many: false },
    { collection: 'assignments', field: 'caseId', target: 'cases', many: false },
    { collection: 'cases', field: 'subjectIds', target: 'subjects', many: true },
    { collection: 'cases', field: 'lead.officerId', target: 'officers', many: false },
    { collection: 'case_events', field: 'caseId', target: 'cases', many: false },
    { collection: 'case_list', field: 'subjectId', target: 'subjects', many: false },
    { collection: 'profiles', field: 'accountId', target: 'accounts', many: false },
  ],
  derived: [
    {
      kind: 'count',
      collection: 'case_list',
      field: 'openTaskCount',
      source: 'tasks',
      sourceField: 'caseId',
      where: { status: { $in: openStatuses } },
    },
    {
      kind: 'count',
      collection: 'case_list',
      field: 'overdueTaskCount',
      source: 'tasks',
      sourceField: 'caseId',
      where: { status: { $in: openStatuses }, dueAt: { $lt: asOf } },
    },
    {
      kind: 'copy',
      collection: 'case_list',
      field: 'subjectName',
      via: 'subjectId',
      source: 'subjects',
      sourceField: 'name',
    },
    {
      kind: 'copy',
      collection: 'case_list',
      field: 'referenceNo',
      via: 'id',
      source: 'cases',
      sourceField: 'referenceNo',
    },
    {
      kind: 'copy',
      collection: 'case_list',
      field: 'status',
      via: 'id',
      source: 'cases',
      sourceField: 'status',
    },
    {
      kind: 'copy',
      collection: 'cases',
      field: 'assignedOfficerName',
      via: 'lead.officerId',
      source: 'officers',
      sourceField: 'name',
    },
  ],
};

/** The example's collection specs, in the order the generator writes them (targets first). */
export const exampleCollectionNames: readonly ExampleCollectionName[] = [
  'officers',
  'subjects',
  'accounts',
  'cases',
  'tasks',
  'assignments',
  'case_events',
  'case_list',
  'profiles',
];
