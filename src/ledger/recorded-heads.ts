import { isJsonObject } from '../core/json.js';
import { scanDocuments } from '../stores/scan-pages.js';
import type { Collection } from '../stores/store.js';
import type { RecordedHead } from './audit-chain.js';
import { readAuditWitness, recordedHeadOf } from './audit-witness.js';
import { checkpointAuditHeadField } from './checkpoints.js';

/** Where steward keeps audit heads in its ledger, apart from the log; absent ones are skipped. */
export interface HeadKeepers {
  /** The witness collection (see `audit-witness.ts`). */
  readonly witness?: Collection;
  /** The checkpoints collection: each job's checkpoint carries the audit head it last saw. */
  readonly checkpoints?: Collection;
}

/**
 * The audit heads steward recorded in its own ledger: the witness and every checkpoint's. The log
 * must still hold each of them; see {@link verifyAuditChain}'s `recorded`. Checkpoints are few (one
 * per job in progress), so reading them all is cheap.
 */
export async function recordedAuditHeads(keepers: HeadKeepers): Promise<RecordedHead[]> {
  const heads: RecordedHead[] = [];
  const witness = keepers.witness && (await readAuditWitness(keepers.witness));
  if (witness) heads.push(witness);
  if (keepers.checkpoints) {
    for await (const doc of scanDocuments(keepers.checkpoints)) {
      const source = `checkpoint "${typeof doc.job === 'string' ? doc.job : 'unnamed'}"`;
      const head = recordedHeadOf(doc[checkpointAuditHeadField], source);
      const at = isJsonObject(doc) && typeof doc.updatedAt === 'string' ? doc.updatedAt : undefined;
      if (head) heads.push(at ? { ...head, at } : head);
    }
  }
  return heads;
}
