/**
 * Two collections of a test store joined by one reference, planted for the orphan scan's tests:
 * targets keyed `c0`, `c1`, ..., sources keyed `s00000`, `s00001`, ... whose `caseId` points at a
 * target, except the orphans, which point at `gone<i>`. Each scan gets a fresh ledger of its own
 * (`newLedger`); `cleanup` drops them and the store's collections.
 */
import type { JsonObject } from '../../src/core/json.js';
import type { ResolvedReference } from '../../src/integrity/reference.js';
import { type Ledger, openLedger } from '../../src/ledger/ledger.js';
import type { Collection, StoreKind } from '../../src/stores/store.js';
import { openTestStore, type TestStore } from './test-stores.js';

export interface ReferenceWorldPlan {
  /** Names the collections (`<name>_sources`, `<name>_targets`), the reference and the ledgers. */
  readonly name: string;
  readonly targets: number;
  readonly sources: number;
  /** Whether source `i` is an orphan. */
  readonly orphan: (i: number) => boolean;
}

export interface ReferenceWorld {
  readonly t: TestStore;
  readonly source: Collection;
  readonly target: Collection;
  /** `<name>.caseId`: the sources' `caseId` into the targets, flagged when missing. */
  readonly reference: ResolvedReference;
  /** The missing keys the orphans point at, in source order. */
  readonly orphans: readonly string[];
  /** A fresh ledger under a prefix of its own, so each scan starts without a checkpoint. */
  newLedger(): Promise<Ledger>;
  cleanup(): Promise<void>;
}

export async function openReferenceWorld(kind: StoreKind, plan: ReferenceWorldPlan): Promise<ReferenceWorld> {
  const t = await openTestStore(kind);
  const source = t.store.collection(t.spec(`${plan.name}_sources`));
  const target = t.store.collection(t.spec(`${plan.name}_targets`));
  // A planting that fails still closes the store, or its client would keep the test file alive.
  const orphans = await plant(t, source, target, plan).catch(async (error: unknown) => {
    await t.cleanup();
    throw error;
  });
  const ledgers: Ledger[] = [];
  return {
    t,
    source,
    target,
    reference: {
      name: `${plan.name}.caseId`,
      collection: source.spec.name,
      field: 'caseId',
      target: target.spec.name,
      owner: 'test',
      onMissing: 'flag',
      required: false,
    },
    orphans,
    async newLedger() {
      const ledger = await openLedger(t.store, {
        actor: 'test',
        namespacePrefix: `${plan.name}${ledgers.length}_${t.spec('x').name}_`,
      });
      ledgers.push(ledger);
      return ledger;
    },
    async cleanup() {
      try {
        for (const ledger of ledgers) await ledger.drop();
      } finally {
        await t.cleanup();
      }
    },
  };
}

/** Makes both collections, writes the targets and the sources; returns the orphans' missing keys. */
async function plant(t: TestStore, source: Collection, target: Collection, plan: ReferenceWorldPlan) {
  for (const c of [source, target]) await t.store.ensureCollection(c.spec);
  const targetKeys = Array.from({ length: plan.targets }, (_, i) => `c${i}`);
  await target.write(targetKeys.map((id) => ({ type: 'insert', doc: { [target.spec.keyField]: id } })));
  const orphans: string[] = [];
  const docs: JsonObject[] = Array.from({ length: plan.sources }, (_, i) => {
    const orphan = plan.orphan(i);
    if (orphan) orphans.push(`gone${i}`);
    return {
      [source.spec.keyField]: `s${String(i).padStart(5, '0')}`,
      caseId: orphan ? `gone${i}` : targetKeys[i % plan.targets]!,
    };
  });
  await source.write(docs.map((doc) => ({ type: 'insert', doc })));
  return orphans;
}
