import { scanPages } from '../../stores/scan-pages.js';
import {
  addPage,
  ChecksumAccumulator,
  type CollectionChecksum,
  preferredDigestKind,
} from '../collection-checksum.js';
import type { Migration } from '../migration.js';
import type { ApplyContext } from './apply-context.js';
import type { MigrationProgress } from './apply-state.js';
import { documentCollections } from './migration-collections.js';

/**
 * The whole before-checksum of a run the `contract` gate stopped in the canary pass: the partial
 * sum `progress.before` plus every document that pass had not read yet, read now (the batch it
 * stopped at onwards, and every later document collection whole). Those documents are untouched
 * (the pass writes only batches it has summed, and nothing of the batch the gate stopped), so as
 * read they are as apply found them, and the rollback that usually follows such a stop can say
 * whether it restored the collections exactly. Reads only; costs a read of what the pass had not
 * reached, on this rare path only. A paused or killed run is not settled: its checkpoint keeps the
 * partial sum and the resumed pass completes it.
 *
 * The result goes to `wholeBefore`, not `before`, so that `--resume` can go back into the pass
 * and go on summing `before` from where it stopped.
 */
export async function settleBefore(
  ctx: ApplyContext,
  migration: Migration,
  p: MigrationProgress,
): Promise<MigrationProgress> {
  if (p.stoppedIn !== 'canary') return p;
  const whole: Record<string, CollectionChecksum> = { ...p.before };
  const names = documentCollections(migration);
  for (let c = p.pass.collection; c < names.length; c++) {
    const target = ctx.target.collection(names[c]!);
    const sum = ChecksumAccumulator.from(p.before[target.name], preferredDigestKind(target.handle));
    const after = c === p.pass.collection ? p.pass.after : null;
    const texts = sum.kind === 'stored-text';
    await ctx.throttle.during(async () => {
      for await (const page of scanPages(target.handle, { after, limit: 1000, texts })) addPage(sum, page);
    });
    whole[target.name] = sum.result();
  }
  return { ...p, wholeBefore: whole };
}
