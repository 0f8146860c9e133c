/**
 * A ledger in a fresh test store, under a run-unique prefix so runs never share ledger
 * collections (on DynamoDB they are tables next to those of other runs). `cleanup` drops them.
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../../src/ledger/clock.js';
import { type Ledger, openLedger } from '../../src/ledger/ledger.js';
import { openStore } from '../../src/stores/open-store.js';
import type { Store, StoreKind } from '../../src/stores/store.js';
import { openTestStore, type TestStore } from '../support/test-stores.js';

export interface TestLedger {
  readonly t: TestStore;
  readonly ledger: Ledger;
  readonly prefix: string;
  /** Another ledger on the same prefix through a second connection, as another process would. */
  another(options?: { actor?: string; clock?: Clock }): Promise<Ledger>;
  cleanup(): Promise<void>;
}

export async function openTestLedger(kind: StoreKind, options: { clock?: Clock } = {}): Promise<TestLedger> {
  const t = await openTestStore(kind);
  const prefix = `ledger_${randomBytes(4).toString('hex')}_`;
  const ledger = await openLedger(t.store, {
    actor: 'test',
    namespacePrefix: prefix,
    clock: options.clock,
  }).catch(async (error: unknown) => {
    await t.cleanup();
    throw error;
  });
  const others: Store[] = [];
  return {
    t,
    ledger,
    prefix,
    async another(more = {}) {
      const store = await openStore(t.config);
      others.push(store);
      return openLedger(store, { actor: more.actor ?? 'other', namespacePrefix: prefix, clock: more.clock });
    },
    async cleanup() {
      for (const store of others) await store.close();
      await ledger.drop();
      await t.cleanup();
    },
  };
}
