import type { ResolvedConfig } from '../../config/resolved-config.js';
import {
  type DerivedStatus,
  derivedStatus as measureFreshness,
} from '../../derived/status/derived-status.js';
import { recordDerivedStatus } from '../../signals/derived-metrics.js';
import { stewardMetrics } from '../../signals/steward-metrics.js';
import { actorOf, type RunOptions } from '../run-options.js';
import { selectDerived } from './select-derived.js';
import { withDerived } from './with-derived.js';

/** Each derived state's freshness, and how many are outside their staleness allowance. */
export interface DerivedStatusResult {
  readonly ok: boolean;
  /** When it was judged, ISO 8601. */
  readonly now: string;
  readonly outside: number;
  readonly statuses: DerivedStatus[];
}

/**
 * The freshness of derived state: streams each derived collection once and reads the projection
 * metadata steward stamps (in each document, or in the ledger for `metadata: 'ledger'`) (oldest projection against now and the allowance, documents without
 * metadata, source versions behind the latest) and the open drift incidents. Changes nothing.
 */
export function derivedStatus(
  config: ResolvedConfig,
  input: { readonly derived?: readonly string[]; readonly batch?: number } = {},
  options: RunOptions = {},
): Promise<DerivedStatusResult> {
  const selected = selectDerived(input.derived ?? [], config);
  const now = new Date().toISOString();
  return withDerived(config, selected, actorOf(options), async (run) => {
    const incidents = await run.ledger.openCollection('incidents');
    const statuses: DerivedStatus[] = [];
    for (const derived of selected)
      statuses.push(
        await measureFreshness({
          derived,
          ...run.handles(derived),
          incidents,
          ledger: run.ledger,
          now,
          ...(input.batch === undefined ? {} : { batch: input.batch }),
        }),
      );
    const metrics = options.metrics ?? stewardMetrics();
    for (const status of statuses) recordDerivedStatus(metrics, status);
    const outside = statuses.filter((s) => s.state === 'outside').length;
    return { ok: outside === 0, now, outside, statuses };
  });
}
