/**
 * A tiny world for repair and guard tests on one store: accounts and an archive of accounts,
 * profiles referencing an account, cases referencing subjects by array, a ledger, and a small
 * scan that records incidents the way `refs scan` does (so these tests do not depend on it).
 */

import type { ApprovalPolicy, Approver } from '../../src/approvals/approval-policy.js';
import { hashJson } from '../../src/core/hash.js';
import { canonicalJson, type JsonObject } from '../../src/core/json.js';
import type { MissingTargetPolicy, ResolvedReference } from '../../src/integrity/reference.js';
import { readReference } from '../../src/integrity/reference-keys.js';
import type { RepairContext } from '../../src/integrity/repair/repair-context.js';
import {
  closeIncident,
  type Finding,
  incidentId,
  listIncidents,
  recordFindings,
} from '../../src/ledger/incidents.js';
import {
  type Collection,
  type CollectionSpec,
  docKey,
  keyId,
  type StoreKind,
} from '../../src/stores/store.js';
import { openTestLedger, type TestLedger } from '../ledger/test-ledger.js';
import { readAll } from '../support/read-all.js';

export const names = ['accounts', 'archive', 'profiles', 'subjects', 'cases'] as const;
export type Name = (typeof names)[number];

export interface Fixture {
  readonly tl: TestLedger;
  readonly kind: StoreKind;
  readonly specs: Readonly<Record<Name, CollectionSpec>>;
  collection(name: string): Collection;
  /** Inserts documents keyed by `key` (turned into the store's key field). */
  seed(name: Name, docs: readonly (JsonObject & { key: string })[]): Promise<void>;
  /** A document by key, undefined when absent. */
  get(name: Name, key: string): Promise<JsonObject | undefined>;
  /**
   * A hash of the content of the user collections and of the ledger's incidents, backups,
   * approvals and rehydrations (or only of the named collections): equal hashes, nothing changed.
   */
  checksum(only?: readonly Name[]): Promise<string>;
  incidents(): Collection;
  cleanup(): Promise<void>;
}

export async function openFixture(kind: StoreKind): Promise<Fixture> {
  const tl = await openTestLedger(kind);
  const specs = Object.fromEntries(names.map((n) => [n, tl.t.spec(n)])) as Record<Name, CollectionSpec>;
  for (const spec of Object.values(specs)) await tl.t.store.ensureCollection(spec);
  const ns = tl.ledger.namespace;
  for (const spec of [ns.incidents, ns.backups, ns.approvals, ns.rehydrations])
    await tl.t.store.ensureCollection(spec);
  const collection = (name: string) => {
    const spec =
      specs[name as Name] ?? Object.values(ns).find((s) => typeof s === 'object' && s.name === name);
    if (!spec) throw new Error(`no collection ${name}`);
    return tl.t.store.collection(spec as CollectionSpec);
  };
  const fixture: Fixture = {
    tl,
    kind,
    specs,
    collection,
    async seed(name, docs) {
      const c = collection(name);
      const results = await c.write(
        docs.map(({ key, ...rest }) => ({
          type: 'insert' as const,
          doc: { ...rest, [c.spec.keyField]: key },
        })),
      );
      if (results.some((r) => r.status !== 'ok'))
        throw new Error(`seeding ${name}: ${JSON.stringify(results)}`);
    },
    async get(name, key) {
      const c = collection(name);
      return (await c.getMany([key])).get(keyId(key));
    },
    async checksum(only) {
      const parts: Record<string, string> = {};
      const ledgerSpecs = only ? [] : [ns.incidents, ns.backups, ns.approvals, ns.rehydrations];
      for (const spec of [...(only ?? names).map((n) => specs[n]), ...ledgerSpecs]) {
        const docs = (await readAll(tl.t.store.collection(spec))).map(canonicalJson).sort();
        parts[spec.name] = hashJson(docs);
      }
      return hashJson(parts);
    },
    incidents: () => tl.t.store.collection(ns.incidents),
    cleanup: () => tl.cleanup(),
  };
  return fixture;
}

/** A reference as the config resolves it. */
export function reference(
  name: 'profiles.accountId' | 'cases.subjectIds',
  onMissing: MissingTargetPolicy,
  more: Partial<ResolvedReference> = {},
): ResolvedReference {
  const [collection, field] = name.split('.') as [string, string];
  const target = collection === 'profiles' ? 'accounts' : 'subjects';
  return {
    name,
    collection,
    field,
    target,
    owner: 'profile-service',
    onMissing,
    required: false,
    ...(onMissing === 'rehydrate' ? { rehydrateFrom: 'archive' } : {}),
    ...more,
  };
}

/** Records incidents as `refs scan` does: one per document with missing targets, `detail.missing`. */
export async function scanInto(
  f: Fixture,
  ref: ResolvedReference,
  now = new Date().toISOString(),
): Promise<number> {
  const source = f.collection(ref.collection);
  const target = f.collection(ref.target);
  const findings: Finding[] = [];
  for (const doc of await readAll(source)) {
    const key = docKey(doc, source.spec)!;
    const where = { subject: ref.name, collection: ref.collection, key, field: ref.field };
    const value = readReference(doc, ref.field);
    if (value.kind !== 'keys') {
      if (ref.required)
        findings.push({
          ...where,
          kind: 'missing-required',
          detail: { target: ref.target, found: value.kind },
        });
      continue;
    }
    const found = await target.getMany(value.keys);
    const missing = value.keys.filter((k) => !found.has(keyId(k)));
    if (missing.length > 0)
      findings.push({ ...where, kind: 'orphan', detail: { target: ref.target, missing, mismatched: [] } });
  }
  await recordFindings(f.incidents(), findings, `test-scan-${now}`, now);
  // Like the real scan, close what it no longer finds.
  const seen = new Set(findings.map((x) => incidentId(ref.name, x.key)));
  for await (const incident of listIncidents(f.incidents(), { subject: ref.name, status: 'open' }))
    if (!seen.has(incident.id)) await closeIncident(f.incidents(), incident, { action: 'gone' }, now);
  return findings.length;
}

/** The repair context of a fixture. */
export function repairContext(
  f: Fixture,
  more: Partial<RepairContext> & {
    approvers?: Map<string, Approver>;
    approvalPolicies?: Map<string, ApprovalPolicy>;
  } = {},
): RepairContext {
  return {
    ledger: f.tl.ledger,
    collection: f.collection,
    approvers: new Map(),
    approvalPolicies: new Map(),
    actor: 'test-repair',
    ...more,
  };
}

/** The usual data: a1, a2 exist; a3 only in the archive; a9 nowhere. */
export async function seedWorld(f: Fixture): Promise<void> {
  await f.seed('accounts', [
    { key: 'a1', status: 'active' },
    { key: 'a2', status: 'active' },
  ]);
  await f.seed('archive', [{ key: 'a3', status: 'closed', archived: true }]);
  await f.seed('profiles', [
    { key: 'p1', accountId: 'a1', name: 'Ann' },
    { key: 'p2', accountId: 'a3', name: 'Bo' },
    { key: 'p3', accountId: 'a9', name: 'Cy' },
    { key: 'p4', accountId: null, name: 'Di' },
  ]);
  await f.seed('subjects', [{ key: 's1' }, { key: 's2' }]);
  await f.seed('cases', [
    { key: 'c1', subjectIds: ['s1', 's9', 's2', 's8'] },
    { key: 'c2', subjectIds: ['s1'] },
  ]);
}

/**
 * A maker of fresh fixtures with the seeded world, each cleaned up by the `after` hook of the
 * suite that calls it.
 */
export function seededWorlds(
  kind: StoreKind,
  after: (fn: () => Promise<void>) => void,
): () => Promise<Fixture> {
  const opened: Fixture[] = [];
  after(async () => {
    for (const f of opened) await f.cleanup();
  });
  return async () => {
    const f = await openFixture(kind);
    opened.push(f);
    await seedWorld(f);
    return f;
  };
}
