/**
 * The example built in a test store with orphans injected, a ledger beside it, and the example's
 * eight references declared as a config would: what the scan tests share.
 */
import { randomBytes } from 'node:crypto';
import { caseManagementModel, exampleCollectionNames } from '../../src/example/case-management-model.js';
import { type ExampleManifest, exampleSpec, generateExample } from '../../src/example/generate-example.js';
import type { ResolvedReference } from '../../src/integrity/reference.js';
import type { ScanReferenceInput } from '../../src/integrity/scan/scan-reference.js';
import { type Incident, listIncidents } from '../../src/ledger/incidents.js';
import { type Ledger, openLedger } from '../../src/ledger/ledger.js';
import type { Collection, StoreKind } from '../../src/stores/store.js';
import { openTestStore, type TestStore } from '../support/test-stores.js';

/** The example's references, resolved as `references: { 'tasks.caseId': { target: 'cases' }, ... }` would be. */
export const exampleReferences: readonly ResolvedReference[] = caseManagementModel.references.map((r) => ({
  name: `${r.collection}.${r.field}`,
  collection: r.collection,
  field: r.field,
  target: r.target,
  owner: 'case-service',
  onMissing: 'flag',
  required: false,
}));

export interface ExampleWorld {
  readonly t: TestStore;
  readonly ledger: Ledger;
  readonly ledgerPrefix: string;
  readonly namePrefix: string;
  readonly manifest: ExampleManifest;
  /** Source and target collections of a reference, in the test store. */
  collections(reference: ResolvedReference): { source: Collection; target: Collection };
  /** Everything a scan of the reference needs, plus overrides. */
  input(reference: ResolvedReference, more?: Partial<ScanReferenceInput>): ScanReferenceInput;
  incidents(options?: { subject?: string; status?: 'open' | 'closed' }): Promise<Incident[]>;
  cleanup(): Promise<void>;
}

export async function buildExampleWorld(
  kind: StoreKind,
  options: { docs: number; orphans: number; seed?: string },
): Promise<ExampleWorld> {
  const t = await openTestStore(kind);
  const unique = randomBytes(3).toString('hex');
  const namePrefix = `x${unique}_`;
  const ledgerPrefix = `lg${unique}_`;
  const manifest = await generateExample(t.store, {
    docs: options.docs,
    seed: options.seed ?? 'refs-scan',
    faults: { orphans: options.orphans },
    namePrefix,
  });
  const ledger = await openLedger(t.store, { actor: 'test', namespacePrefix: ledgerPrefix });
  const collections = (reference: ResolvedReference) => ({
    source: t.store.collection(exampleSpec(reference.collection as never, namePrefix)),
    target: t.store.collection(exampleSpec(reference.target as never, namePrefix)),
  });
  return {
    t,
    ledger,
    ledgerPrefix,
    namePrefix,
    manifest,
    collections,
    input: (reference, more = {}) => ({
      reference,
      ...collections(reference),
      ledger,
      holder: `test-${process.pid}`,
      batch: 150,
      ...more,
    }),
    async incidents(filter = {}) {
      const all: Incident[] = [];
      for await (const i of listIncidents(t.store.collection(ledger.namespace.incidents), filter))
        all.push(i);
      return all;
    },
    async cleanup() {
      await ledger.drop();
      for (const name of exampleCollectionNames) await t.store.dropCollection(exampleSpec(name, namePrefix));
      await t.cleanup();
    },
  };
}

/** The manifest's orphaned source keys of a reference, sorted. */
export function injectedOrphans(manifest: ExampleManifest, reference: ResolvedReference): string[] {
  return manifest.faults
    .filter(
      (f) => f.kind === 'orphan' && f.collection === reference.collection && f.field === reference.field,
    )
    .map((f) => f.key)
    .sort();
}
