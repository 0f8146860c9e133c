import type { ResolvedConfig } from '../../config/resolved-config.js';
import { canonicalJson, type JsonValue } from '../../core/json.js';
import { type RebuildScope, rebuildDerived } from '../../derived/rebuild-derived.js';
import { type RepairReport, repairNeedsAttention } from '../../derived/repair-report.js';
import { StewardError } from '../../errors/steward-error.js';
import type { Segment } from '../../stores/store.js';
import type { RunOptions } from '../run-options.js';
import { actorOf } from '../run-options.js';
import { type DerivedJobInput, type DerivedJobWaiting, jobSettings, oneDerived } from './derived-job.js';
import { forceAllowed, type SnapshotRefusal } from './snapshot-force.js';
import { withDerived } from './with-derived.js';

/** What to rebuild, and how. */
export interface DerivedRebuildInput extends DerivedJobInput {
  /** Some keys, the documents matching a filter, or everything. */
  readonly scope: RebuildScope;
  /** With a filter or everything: only this segment of the derived collection. */
  readonly segment?: Segment;
  /** Say what would change; write nothing. */
  readonly dryRun?: boolean;
  /** Derived documents per batch. Default 500. */
  readonly batch?: number;
  /** Also refresh snapshots; needs approvals of the subject a refusal names. */
  readonly force?: boolean;
  /**
   * The declaration's projection version: also stamps documents whose value is right but which an
   * older version computed. A usage error when it is not the declared one.
   */
  readonly version?: number;
}

/** What a rebuild did, or the snapshot refresh its approvals do not allow (nothing was written). */
export type DerivedRebuildResult =
  | { readonly ok: boolean; readonly report: RepairReport }
  | { readonly ok: false; readonly refused: SnapshotRefusal };

/**
 * Recomputes a derived state for some keys, a filter or everything and writes what differs, with
 * the safety of a drift repair: conditional writes, before-images, projection metadata, an audit
 * record per batch; open drift incidents of rewritten documents are closed. A filter or everything
 * is checkpointed after every batch (run it again to resume after a kill; a second run writes
 * nothing) and may be split into segments.
 */
export function derivedRebuild(
  config: ResolvedConfig,
  input: DerivedRebuildInput,
  options: RunOptions<DerivedJobWaiting> = {},
): Promise<DerivedRebuildResult> {
  const derived = oneDerived(config, input.derived);
  if (input.version !== undefined && input.version !== derived.version)
    throw new StewardError(
      'usage',
      `--version ${input.version}: ${derived.name} declares projection version ${derived.version}; raise its "version" in the config ` +
        'with the change to its transformation, then rebuild with that version',
    );
  return withDerived(config, [derived], actorOf(options), async (run) => {
    const scopeJson = JSON.parse(canonicalJson(input.scope)) as JsonValue;
    const force = await forceAllowed(
      input.force,
      config,
      run.ledger,
      derived,
      'rebuild',
      async () => scopeJson,
    );
    if (typeof force === 'object') return { ok: false, refused: force };
    const report = await rebuildDerived({
      derived,
      ...run.handles(derived),
      ledger: run.ledger,
      scope: input.scope,
      dryRun: input.dryRun === true,
      ...(input.batch === undefined ? {} : { batch: input.batch }),
      force,
      restamp: input.version !== undefined,
      ...(input.segment ? { segment: input.segment } : {}),
      ...jobSettings(input, options),
    });
    return { ok: !repairNeedsAttention(report), report };
  });
}
