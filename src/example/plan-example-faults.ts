import type { JsonObject, JsonValue } from '../core/json.js';
import { StewardError } from '../errors/steward-error.js';
import { caseManagementModel, type ExampleCollectionName } from './case-management-model.js';
import { exampleDerived } from './example-derived.js';
import { hashSeed, mixSeed, type Random, seededRandom } from './seeded-random.js';

/** How many faults of each kind to inject. */
export interface ExampleFaultCounts {
  /** References pointing at keys that do not exist, spread over the declared references. */
  readonly orphans?: number;
  /**
   * case_list counts or copied names that differ from what their source gives. Those placed in a
   * snapshot (`cases.assignedOfficerName`) are `snapshot-difference` faults, not drift: the name as
   * it was taken, since changed at the source, which a snapshot keeps by design.
   */
  readonly drift?: number;
  /** Documents breaking the declared shape: a field of the wrong type, or a required field missing. */
  readonly badShape?: number;
}

/**
 * One injected fault. `expected` is what a correct document would hold (the real reference, the
 * value recomputed from the source, the declared type); `actual` is what was stored (null for a
 * missing field).
 */
export type ExampleFault =
  | (FaultWhere & {
      readonly kind: 'orphan';
      readonly target: ExampleCollectionName;
      readonly expected: string;
      readonly actual: string;
    })
  | (FaultWhere & { readonly kind: 'drift'; readonly expected: JsonValue; readonly actual: JsonValue })
  /**
   * A snapshot holding the value of its moment, which the source has changed since: what drift
   * check reports apart, as information (`snapshot.differsFromSource`), never as drift.
   */
  | (FaultWhere & {
      readonly kind: 'snapshot-difference';
      readonly expected: JsonValue;
      readonly actual: JsonValue;
    })
  | (FaultWhere & {
      readonly kind: 'bad-shape';
      readonly problem: 'wrong-type' | 'missing-required';
      readonly expected: string;
      readonly actual: JsonValue | null;
    });

/** Where a fault is: the document and the dotted field. */
export interface FaultWhere {
  readonly collection: ExampleCollectionName;
  readonly key: string;
  readonly field: string;
}

/**
 * Which documents get which fault, chosen exactly and deterministically from the seed. `apply` is
 * the transform the rows pass every document through; `faults` lists what was applied, once the
 * documents have been produced.
 */
export interface ExampleFaultPlan {
  apply(collection: ExampleCollectionName, index: number, doc: JsonObject): JsonObject;
  faults(): ExampleFault[];
}

type Injector = (doc: JsonObject, ordinal: number) => ExampleFault;

interface Bucket {
  readonly collection: ExampleCollectionName;
  readonly field: string;
  readonly inject: (key: string) => Injector;
  /** Documents this bucket must not touch (a copy whose source reference is orphaned). */
  readonly exclude?: string;
}

/**
 * Bad-shape targets. They avoid keys, references, derived fields and the sources of derived
 * fields, so each kind of fault is found by exactly one kind of scan.
 */
const shapeTargets: readonly {
  collection: ExampleCollectionName;
  field: string;
  wrong?: JsonValue;
  expected: string;
}[] = [
  { collection: 'tasks', field: 'title', wrong: 404, expected: 'string' },
  { collection: 'cases', field: 'openedAt', wrong: 1767225600000, expected: 'string' },
  { collection: 'subjects', field: 'riskRating', wrong: 'high', expected: 'integer' },
  { collection: 'case_events', field: 'at', expected: 'string' },
  { collection: 'assignments', field: 'role', wrong: 7, expected: 'string' },
  { collection: 'tasks', field: 'priority', expected: 'integer' },
  { collection: 'profiles', field: 'displayName', expected: 'string' },
  { collection: 'accounts', field: 'status', wrong: true, expected: 'string' },
  { collection: 'officers', field: 'unit', expected: 'string' },
  { collection: 'case_list', field: 'projectedAt', wrong: ['2026-06-30'], expected: 'string' },
];

const driftFields = ['openTaskCount', 'overdueTaskCount', 'subjectName', 'assignedOfficerName'];

/** The derived fields the example declares as snapshots, whose planted differences are not drift. */
const snapshotFields = new Set(
  Object.entries(exampleDerived()).flatMap(([name, d]) => (d.kind === 'snapshot' ? [name] : [])),
);

/** Plans `requested` faults over a layout. Throws `input.invalid` when there are too few documents. */
export function planExampleFaults(
  counts: Readonly<Record<ExampleCollectionName, number>>,
  key: (collection: ExampleCollectionName, index: number) => string,
  requested: ExampleFaultCounts,
  seed: string | number,
): ExampleFaultPlan {
  const random = seededRandom(mixSeed(hashSeed(seed), hashSeed('faults')));
  const planned = new Map<ExampleCollectionName, Map<number, ((doc: JsonObject) => ExampleFault)[]>>();
  const records = new Map<string, ExampleFault>();
  const chosen = new Map<string, Set<number>>();

  const place = (kind: string, buckets: readonly Bucket[], total: number): void => {
    const capacity = buckets.map((b) => counts[b.collection] - excluded(b).size);
    const perBucket = allocate(kind, total, capacity);
    buckets.forEach((bucket, b) => {
      const indices = pickIndices(random, counts[bucket.collection], perBucket[b]!, excluded(bucket));
      chosen.set(`${bucket.collection}.${bucket.field}`, new Set(indices));
      indices.forEach((index, ordinal) => {
        const inject = bucket.inject(key(bucket.collection, index));
        const byIndex =
          planned.get(bucket.collection) ?? new Map<number, ((doc: JsonObject) => ExampleFault)[]>();
        planned.set(bucket.collection, byIndex);
        byIndex.set(index, [...(byIndex.get(index) ?? []), (doc) => inject(doc, ordinal)]);
      });
    });
  };
  const excluded = (bucket: Bucket): Set<number> =>
    bucket.exclude === undefined
      ? new Set()
      : (chosen.get(`${bucket.collection}.${bucket.exclude}`) ?? new Set());

  place('orphans', orphanBuckets(counts, key), requested.orphans ?? 0);
  place('drift', driftBuckets(), requested.drift ?? 0);
  place('badShape', shapeBuckets(), requested.badShape ?? 0);

  return {
    apply(collection, index, doc) {
      for (const inject of planned.get(collection)?.get(index) ?? []) {
        const fault = inject(doc);
        records.set(`${fault.collection}\u0000${fault.key}\u0000${fault.field}`, fault);
      }
      return doc;
    },
    faults: () => [...records.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, f]) => f),
  };
}

function orphanBuckets(
  counts: Readonly<Record<ExampleCollectionName, number>>,
  key: (collection: ExampleCollectionName, index: number) => string,
): Bucket[] {
  const missingPerTarget = new Map<ExampleCollectionName, number>();
  return caseManagementModel.references.map((ref) => ({
    collection: ref.collection,
    field: ref.field,
    inject: (docKey) => {
      // Past the last index: a well-formed key of the target that no document has.
      const n = (missingPerTarget.get(ref.target) ?? 0) + 1;
      missingPerTarget.set(ref.target, n);
      const missing = key(ref.target, counts[ref.target] + n - 1);
      return (doc) => {
        const { parent, leaf } = locate(doc, ref.field);
        const current = parent[leaf];
        let expected: string;
        if (ref.many && Array.isArray(current)) {
          expected = String(current[current.length - 1]);
          parent[leaf] = [...current.slice(0, -1), missing];
        } else {
          expected = String(current);
          parent[leaf] = missing;
        }
        return {
          kind: 'orphan',
          collection: ref.collection,
          key: docKey,
          field: ref.field,
          target: ref.target,
          expected,
          actual: missing,
        };
      };
    },
  }));
}

function driftBuckets(): Bucket[] {
  return caseManagementModel.derived
    .filter((d) => driftFields.includes(d.field))
    .map((d) => ({
      collection: d.collection,
      field: d.field,
      exclude: d.kind === 'copy' ? d.via : undefined,
      inject: (docKey) => (doc, ordinal) => {
        const expected = doc[d.field]!;
        const actual =
          typeof expected === 'number' ? expected + 1 + (ordinal % 3) : `${String(expected)} (old name)`;
        doc[d.field] = actual;
        const kind = snapshotFields.has(`${d.collection}.${d.field}`) ? 'snapshot-difference' : 'drift';
        return { kind, collection: d.collection, key: docKey, field: d.field, expected, actual };
      },
    }));
}

function shapeBuckets(): Bucket[] {
  return shapeTargets.map((t) => ({
    collection: t.collection,
    field: t.field,
    inject: (docKey) => (doc) => {
      const where = { collection: t.collection, key: docKey, field: t.field, expected: t.expected };
      if (t.wrong === undefined) {
        delete doc[t.field];
        return { kind: 'bad-shape', ...where, problem: 'missing-required', actual: null };
      }
      doc[t.field] = t.wrong;
      return { kind: 'bad-shape', ...where, problem: 'wrong-type', actual: t.wrong };
    },
  }));
}

/** The object holding the last step of a dotted path, and that step. */
function locate(doc: JsonObject, path: string): { parent: JsonObject; leaf: string } {
  const steps = path.split('.');
  let parent = doc;
  for (const step of steps.slice(0, -1)) parent = parent[step] as JsonObject;
  return { parent, leaf: steps[steps.length - 1]! };
}

/** Spreads `total` over buckets round-robin, within each bucket's capacity. */
function allocate(kind: string, total: number, capacity: readonly number[]): number[] {
  const free = capacity.reduce((a, b) => a + b, 0);
  if (total > free) {
    throw new StewardError(
      'input.invalid',
      `Cannot inject ${total} ${kind} faults: the example only has room for ${free}. Ask for fewer faults or more docs.`,
      { kind, requested: total, capacity: free },
    );
  }
  const out = capacity.map(() => 0);
  for (let left = total, b = 0; left > 0; b = (b + 1) % capacity.length) {
    if (out[b]! < capacity[b]!) {
      out[b]!++;
      left--;
    }
  }
  return out;
}

/** `k` distinct indices in [0, size) not in `exclude`, ascending. */
function pickIndices(random: Random, size: number, k: number, exclude: Set<number>): number[] {
  const picked = new Set<number>();
  if (k * 2 > size - exclude.size) {
    const pool = Array.from({ length: size }, (_, i) => i).filter((i) => !exclude.has(i));
    for (let i = 0; i < k; i++) {
      const j = i + random.int(pool.length - i);
      [pool[i], pool[j]] = [pool[j]!, pool[i]!];
      picked.add(pool[i]!);
    }
  } else {
    while (picked.size < k) {
      const i = random.int(size);
      if (!exclude.has(i)) picked.add(i);
    }
  }
  return [...picked].sort((a, b) => a - b);
}
