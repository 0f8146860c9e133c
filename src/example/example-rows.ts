import { matchesFilter, parseFilter } from '../core/filter.js';
import type { JsonObject } from '../core/json.js';
import { caseManagementModel, type ExampleCollectionName } from './case-management-model.js';
import { hashSeed, mixSeed, type Random, seededRandom } from './seeded-random.js';

/**
 * Random access to the example's documents: document `index` of a collection is a pure function
 * of the seed, the layout and the index. Nothing is held in memory, so a million documents are
 * produced as cheaply as ten, in any order, identically on every run and machine.
 */
export interface ExampleRows {
  /** Documents per collection. */
  readonly counts: Readonly<Record<ExampleCollectionName, number>>;
  /** The key of document `index`; past the count it is a well-formed key that does not exist. */
  key(collection: ExampleCollectionName, index: number): string;
  /** The document as stored: the base document passed through `transform`. */
  row(collection: ExampleCollectionName, index: number): JsonObject;
  /** The document before `transform` (before any injected fault). */
  base(collection: ExampleCollectionName, index: number): JsonObject;
}

export interface ExampleRowsOptions {
  /** Approximate total number of documents, split across collections by {@link exampleShares}. */
  readonly docs: number;
  readonly seed: string | number;
  /**
   * Changes a document before it is stored (fault injection). Derived state (case_list counts) is
   * computed from transformed tasks, so only deliberate drift disagrees with its source.
   */
  readonly transform?: (collection: ExampleCollectionName, index: number, doc: JsonObject) => JsonObject;
}

/** Share of the total each collection gets; they add up to 1. */
export const exampleShares: Readonly<Record<ExampleCollectionName, number>> = {
  officers: 0.01,
  subjects: 0.07,
  accounts: 0.01,
  cases: 0.1,
  tasks: 0.4,
  assignments: 0.1,
  case_events: 0.2,
  case_list: 0.1,
  profiles: 0.01,
};

const keyPrefixes: Readonly<Record<ExampleCollectionName, string>> = {
  officers: 'officer',
  subjects: 'subject',
  accounts: 'account',
  cases: 'case',
  tasks: 'task',
  assignments: 'assignment',
  case_events: 'event',
  case_list: 'case',
  profiles: 'profile',
};

/** Documents per collection for a requested total: every collection gets at least one. */
export function exampleCounts(docs: number): Record<ExampleCollectionName, number> {
  const counts = {} as Record<ExampleCollectionName, number>;
  for (const [name, share] of Object.entries(exampleShares) as [ExampleCollectionName, number][]) {
    counts[name] = Math.max(1, Math.round(docs * share));
  }
  counts.case_list = counts.cases;
  return counts;
}

/**
 * The key of document `index` (0-based) of a collection, such as `task-0000042`. Past the
 * collection's count it is a well-formed key that no document has, which is how orphans look.
 */
export function exampleKey(collection: ExampleCollectionName, index: number): string {
  return `${keyPrefixes[collection]}-${String(index + 1).padStart(7, '0')}`;
}

/** Creates the random-access view of the example for a seed and size. */
export function createExampleRows(options: ExampleRowsOptions): ExampleRows {
  const counts = exampleCounts(options.docs);
  const seed = hashSeed(options.seed);
  const salts = new Map<string, number>();
  const randomFor = (stream: string, index: number): Random => {
    let salt = salts.get(stream);
    if (salt === undefined) {
      salt = mixSeed(seed, hashSeed(stream));
      salts.set(stream, salt);
    }
    return seededRandom(mixSeed(salt, index));
  };
  const key = exampleKey;
  const transform = options.transform ?? ((_c, _i, doc) => doc);
  const rows: ExampleRows = {
    counts,
    key,
    base: (collection, index) => builders[collection](context, index, randomFor(collection, index)),
    row: (collection, index) => transform(collection, index, rows.base(collection, index)),
  };
  const context: BuildContext = { rows, counts, key, randomFor };
  return rows;
}

interface BuildContext {
  readonly rows: ExampleRows;
  readonly counts: Readonly<Record<ExampleCollectionName, number>>;
  key(collection: ExampleCollectionName, index: number): string;
  randomFor(stream: string, index: number): Random;
}

type Builder = (context: BuildContext, index: number, random: Random) => JsonObject;

const epochMs = Date.UTC(2026, 0, 1);
const hourMs = 3_600_000;
const dayMs = 24 * hourMs;
const iso = (ms: number): string => new Date(ms).toISOString();
const someTime = (random: Random, days: number): number => epochMs + random.int(days * 24) * hourMs;
const schemaVersion = 1;

const firstNames = [
  'Rina',
  'Tomas',
  'Amara',
  'Jonas',
  'Mei',
  'Oskar',
  'Lena',
  'Ravi',
  'Sofia',
  'Kwame',
  'Ines',
  'Yusuf',
];
const lastNames = [
  'Okafor',
  'Lindqvist',
  'Tanaka',
  'Moreau',
  'Haddad',
  'Novak',
  'Silva',
  'Brennan',
  'Kowalski',
  'Osei',
];
const orgWords = ['Acme', 'Northwind', 'Harbour', 'Granite', 'Bluefield', 'Meridian', 'Oakridge', 'Sterling'];
const orgKinds = ['Trading Ltd', 'Foods Ltd', 'Logistics', 'Holdings', 'Pharma', 'Chemicals Ltd', '& Sons'];
const cities = ['Leeds', 'Bristol', 'Glasgow', 'Cardiff', 'Belfast', 'York', 'Norwich'];
const units = ['Food Safety', 'Environmental', 'Trading Standards', 'Licensing', 'Health & Safety'];
const caseStatuses = ['intake', 'under_investigation', 'enforcement', 'closed'];
const taskStatuses = [
  'open',
  'open',
  'open',
  'in_progress',
  'in_progress',
  'done',
  'done',
  'done',
  'cancelled',
];
const taskVerbs = ['Review', 'Request', 'Inspect', 'Draft', 'Verify', 'Serve', 'Chase'];
const taskObjects = ['site visit report', 'evidence bundle', 'notice', 'witness statement', 'lab results'];
const eventTypes = ['opened', 'note_added', 'status_changed', 'document_received', 'notice_served'];
const tags = ['food-safety', 'repeat-offender', 'high-profile', 'complaint', 'referral'];

const personName = (random: Random): string => `${random.pick(firstNames)} ${random.pick(lastNames)}`;

/** Which subjects and which lead officer case `index` links to: its own stream, cheap to redo. */
function caseLinks(context: BuildContext, index: number): { subjects: number[]; lead: number } {
  const random = context.randomFor('cases.links', index);
  const subjects = new Set<number>();
  const wanted = 1 + random.int(3);
  for (let i = 0; i < wanted; i++) subjects.add(random.int(context.counts.subjects));
  return { subjects: [...subjects], lead: random.int(context.counts.officers) };
}

const countRules = caseManagementModel.derived.flatMap((d) =>
  d.kind === 'count' ? [{ field: d.field, sourceField: d.sourceField, where: parseFilter(d.where) }] : [],
);

/** The case-list counts of a case, computed from its (transformed) tasks as the model declares. */
function taskCounts(context: BuildContext, caseIndex: number): JsonObject {
  const caseKey = context.key('cases', caseIndex);
  const out: JsonObject = {};
  for (const rule of countRules) out[rule.field] = 0;
  for (let t = caseIndex; t < context.counts.tasks; t += context.counts.cases) {
    const task = context.rows.row('tasks', t);
    for (const rule of countRules) {
      if (task[rule.sourceField] === caseKey && matchesFilter(task, rule.where)) {
        out[rule.field] = (out[rule.field] as number) + 1;
      }
    }
  }
  return out;
}

const builders: Readonly<Record<ExampleCollectionName, Builder>> = {
  officers: (c, i, r) => {
    const [first, last] = [r.pick(firstNames), r.pick(lastNames)];
    const email = `${first.toLowerCase()}.${last.toLowerCase()}.${i + 1}@regulator.example`;
    return {
      id: c.key('officers', i),
      schemaVersion,
      name: `${first} ${last}`,
      unit: r.pick(units),
      email,
      active: r.next() < 0.9,
    };
  },
  subjects: (c, i, r) => {
    const person = r.next() < 0.3;
    return {
      id: c.key('subjects', i),
      schemaVersion,
      name: person ? personName(r) : `${r.pick(orgWords)} ${r.pick(orgKinds)}`,
      kind: person ? 'person' : 'organisation',
      registrationNo: `REG-${String(100000 + r.int(900000))}`,
      riskRating: 1 + r.int(5),
      address: {
        city: r.pick(cities),
        postcode: `${String.fromCharCode(65 + r.int(26))}${1 + r.int(20)} ${r.int(10)}XY`,
      },
    };
  },
  accounts: (c, i, r) => ({
    id: c.key('accounts', i),
    schemaVersion,
    status: r.pick(['active', 'active', 'active', 'suspended', 'closed']),
    plan: r.pick(['basic', 'standard', 'enterprise']),
    createdAt: iso(someTime(r, 150)),
  }),
  cases: (c, i, r) => {
    const links = caseLinks(c, i);
    const status = r.pick(caseStatuses);
    const openedMs = someTime(r, 150);
    return {
      id: c.key('cases', i),
      schemaVersion,
      referenceNo: `CASE-2026-${String(i + 1).padStart(7, '0')}`,
      status,
      tenantId: 1 + r.int(9),
      priority: 1 + r.int(4),
      subjectIds: links.subjects.map((s) => c.key('subjects', s)),
      lead: { officerId: c.key('officers', links.lead), since: iso(openedMs + r.int(72) * hourMs) },
      assignedOfficerName: c.rows.base('officers', links.lead).name!,
      tags: tags.filter(() => r.next() < 0.25),
      openedAt: iso(openedMs),
      closedAt: status === 'closed' ? iso(openedMs + (10 + r.int(90)) * dayMs) : null,
    };
  },
  tasks: (c, i, r) => {
    const dueMs = someTime(r, 300);
    return {
      id: c.key('tasks', i),
      schemaVersion,
      caseId: c.key('cases', i % c.counts.cases),
      title: `${r.pick(taskVerbs)} ${r.pick(taskObjects)}`,
      status: r.pick(taskStatuses),
      priority: 1 + r.int(4),
      dueAt: iso(dueMs),
      createdAt: iso(dueMs - (7 + r.int(30)) * dayMs),
    };
  },
  assignments: (c, i, r) => ({
    id: c.key('assignments', i),
    schemaVersion,
    caseId: c.key('cases', i % c.counts.cases),
    officerId: c.key('officers', r.int(c.counts.officers)),
    role: r.pick(['lead', 'support', 'support', 'reviewer']),
    assignedAt: iso(someTime(r, 180)),
  }),
  case_events: (c, i, r) => {
    const event: JsonObject = {
      id: c.key('case_events', i),
      schemaVersion,
      caseId: c.key('cases', i % c.counts.cases),
      type: r.pick(eventTypes),
      at: iso(someTime(r, 181)),
    };
    if (r.next() < 0.5) event.note = `${r.pick(taskVerbs)} ${r.pick(taskObjects)} (ref ${r.int(10000)})`;
    return event;
  },
  case_list: (c, i, r) => {
    const source = c.rows.base('cases', i);
    const subject = caseLinks(c, i).subjects[0]!;
    const counts = taskCounts(c, i);
    return {
      id: c.key('case_list', i),
      schemaVersion,
      referenceNo: source.referenceNo!,
      status: source.status!,
      subjectId: c.key('subjects', subject),
      subjectName: c.rows.base('subjects', subject).name!,
      openTaskCount: counts.openTaskCount!,
      overdueTaskCount: counts.overdueTaskCount!,
      projectedAt: iso(Date.parse(caseManagementModel.asOf) - r.int(48) * hourMs),
    };
  },
  profiles: (c, i, r) => {
    const name = personName(r);
    return {
      id: c.key('profiles', i),
      schemaVersion,
      accountId: c.key('accounts', i % c.counts.accounts),
      displayName: name,
      email: `${name.toLowerCase().replace(' ', '.')}.${i + 1}@mail.example`,
      locale: r.pick(['en-GB', 'en-US', 'fr-FR', 'de-DE']),
    };
  },
};
