/**
 * A migrate-mongo migration written as its users write it (issue 17): a cursor over the documents
 * at the old version, `bulkWrite` of `updateOne` in batches. `up` renames `status` to `state` and
 * derives `active`; `down` renames it back and drops `active`. The bench sets the collection and
 * the batch (50: migrate-mongo users' 1,000 hangs FerretDB 1.24) in the environment.
 */
import type { AnyBulkWriteOperation, Db, Document } from 'mongodb';

const collectionName = () => process.env.STEWARD_BENCH_MM_COLLECTION ?? 'users';
const batchSize = () => Number(process.env.STEWARD_BENCH_MM_BATCH ?? '50');

async function rewrite(
  db: Db,
  filter: Document,
  change: (doc: Document) => AnyBulkWriteOperation<Document>,
): Promise<void> {
  const users = db.collection(collectionName());
  let ops: AnyBulkWriteOperation<Document>[] = [];
  for await (const doc of users.find(filter, { batchSize: batchSize() })) {
    ops.push(change(doc));
    if (ops.length >= batchSize()) {
      await users.bulkWrite(ops, { ordered: false });
      ops = [];
    }
  }
  if (ops.length > 0) await users.bulkWrite(ops, { ordered: false });
}

export async function up(db: Db): Promise<void> {
  await rewrite(db, { schemaVersion: 1 }, (doc) => ({
    updateOne: {
      filter: { _id: doc._id },
      update: {
        $set: { state: doc.status, active: doc.status === 'active', schemaVersion: 2 },
        $unset: { status: '' },
      },
    },
  }));
}

export async function down(db: Db): Promise<void> {
  await rewrite(db, { schemaVersion: 2 }, (doc) => ({
    updateOne: {
      filter: { _id: doc._id },
      update: { $set: { status: doc.state, schemaVersion: 1 }, $unset: { state: '', active: '' } },
    },
  }));
}
