import { scanPages } from '../../stores/scan-pages.js';
import type { KeySample, ScanOptions } from '../../stores/store.js';
import { ChecksumAccumulator, type CollectionChecksum } from '../collection-checksum.js';
import type { Migration } from '../migration.js';
import type { ApplyContext } from './apply-context.js';
import type { MigrationProgress } from './apply-state.js';
import { documentCollections } from './migration-collections.js';

/** Where the passes' before-sum stands: the pass in progress and its position in it. */
interface SummedTo {
  readonly stage: 'canary' | 'rest';
  readonly collection: number;
  readonly after: string | null;
}

/**
 * How far `progress.before` goes. The canary pass sums the canary's documents (and keyless ones),
 * the rest pass the others (see `documentPass`), so `before` is whole only once the rest pass has
 * passed. Undefined when it is whole, or when no pass has begun (nothing to complete: `before` is
 * empty, and a rollback then says it cannot tell).
 */
function summedTo(p: MigrationProgress): SummedTo | undefined {
  if (p.stoppedIn) return { stage: p.stoppedIn, ...p.pass };
  switch (p.phase) {
    case 'canary':
      return { stage: 'canary', ...p.pass };
    case 'gates':
    case 'rest':
      return { stage: 'rest', ...p.pass };
    case 'gate-failed':
      // Failed at the canary's gates (the final gates come after the rest pass): the rest unsummed.
      return p.gates.some((g) => g.stage === 'final')
        ? undefined
        : { stage: 'rest', collection: 0, after: null };
    default:
      return undefined;
  }
}

/** True when `progress.before` is the whole before-checksum, or there is none yet to complete. */
export function beforeIsWhole(p: MigrationProgress): boolean {
  return p.wholeBefore !== undefined || summedTo(p) === undefined;
}

/**
 * The whole before-checksum of a run that stopped short of the rest pass's end (a gate, the
 * `contract` gate in either pass, a pause in the rest): the partial sum `progress.before` plus
 * every document no pass has summed yet, read now. In the canary pass: every document outside the
 * canary, and the canary's from the batch it stopped at on. In the rest pass (or before it): the
 * documents outside the canary from the batch it stopped at on. Those documents are untouched (a
 * pass writes only batches it has summed, and nothing of the batch a gate stopped), so as read
 * they are as apply found them, and a rollback can say whether it restored the collections
 * exactly. Reads only, on these rare paths only. A killed run is not settled: its checkpoint keeps
 * the partial sum and the resumed pass completes it.
 *
 * The result goes to `wholeBefore`, not `before`, so that `--resume` can go back into the pass
 * and go on summing `before` from where it stopped (the pass drops `wholeBefore`).
 */
export async function settleBefore(
  ctx: ApplyContext,
  migration: Migration,
  p: MigrationProgress,
): Promise<MigrationProgress> {
  const from = summedTo(p);
  if (!from) return p;
  const whole: Record<string, CollectionChecksum> = { ...p.before };
  const names = documentCollections(migration);
  const sample = (inside: boolean): KeySample => ({
    seed: ctx.plan.hash,
    percent: ctx.plan.options.canaryPercent,
    inside,
  });
  for (let c = 0; c < names.length; c++) {
    const target = ctx.target.collection(names[c]!);
    const at = c === from.collection ? from.after : null;
    const reads: ScanOptions[] = [];
    if (from.stage === 'canary') {
      reads.push({ sample: sample(false) });
      if (c >= from.collection) reads.push({ sample: sample(true), after: at });
    } else if (c >= from.collection) reads.push({ sample: sample(false), after: at });
    if (reads.length === 0) continue;
    const sum = ChecksumAccumulator.from(p.before[target.name]);
    await ctx.throttle.during(async () => {
      for (const read of reads)
        for await (const page of scanPages(target.handle, { ...read, limit: 1000 }))
          for (const doc of page.docs) sum.add(doc);
    });
    whole[target.name] = sum.result();
  }
  return { ...p, wholeBefore: whole };
}
