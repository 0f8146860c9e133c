import { getPath, type JsonValue } from '../core/json.js';
import type { Ledger } from '../ledger/ledger.js';
import type { Collection, WriteOp } from '../stores/store.js';
import { docKey } from '../stores/store.js';
import { checkpointedPages, type DerivedJobOptions } from './checkpointed-pages.js';
import type { ResolvedDerived } from './derived.js';
import { shadowField } from './dual-run-report.js';
import { rebuildJobName } from './rebuild-derived.js';

export interface DropShadowInput extends Omit<DerivedJobOptions, 'ledger'> {
  readonly derived: ResolvedDerived;
  readonly target: Collection;
  readonly ledger: Ledger;
  readonly batch?: number;
}

/**
 * Undoes a dual run: removes the shadow field `<field>__v<version>` from every derived document,
 * batched, checkpointed and audited. The values consumers read were never touched, so this leaves
 * the collection as it was before the dual run. Returns how many documents lost their shadow.
 */
export async function dropShadow(input: DropShadowInput): Promise<{ examined: number; dropped: number }> {
  const shadow = shadowField(input.derived.field, input.derived.version);
  const counts = { examined: 0, dropped: 0 };
  const job = rebuildJobName('drop-shadow', input.derived, []);
  await checkpointedPages(
    input,
    job,
    input.target,
    { limit: input.batch ?? 500 },
    {
      read: () => ({ ...counts }),
      restore: (saved) => {
        if (typeof saved.examined === 'number') counts.examined = saved.examined;
        if (typeof saved.dropped === 'number') counts.dropped = saved.dropped;
      },
    },
    async (docs) => {
      counts.examined += docs.length;
      const ops: WriteOp[] = docs.flatMap((doc) => {
        const key = docKey(doc, input.target.spec);
        return key === undefined || getPath(doc, shadow) === undefined
          ? []
          : [{ type: 'patch' as const, key, unset: [shadow] }];
      });
      if (ops.length === 0) return;
      const results = await input.target.write(ops);
      const dropped = results.filter((r) => r.status === 'ok').length;
      counts.dropped += dropped;
      await input.ledger.audit.append({
        action: 'derived.drop-shadow',
        subject: input.derived.name,
        details: { shadow, dropped, keys: ops.slice(0, 100).map((o) => (o as { key: JsonValue }).key) },
      });
    },
  );
  return counts;
}
