/**
 * The same migrate-mongo migration with `updateMany`, as a user who knows the server writes it
 * (issue 17): `$rename` and a `$set` of the derived value, one `updateMany` per value `active`
 * takes. An aggregation-pipeline update would derive `active` in one call, but FerretDB 1.24
 * refuses it ("the wrong type 'array'"), so this is the form every MongoDB-wire target takes.
 * `down` renames back and drops `active`. The bench sets the collection in the environment.
 */
import type { Db } from 'mongodb';

const users = (db: Db) => db.collection(process.env.STEWARD_BENCH_MM_COLLECTION ?? 'users');

export async function up(db: Db): Promise<void> {
  const rename = { $rename: { status: 'state' } };
  await users(db).updateMany(
    { schemaVersion: 1, status: 'active' },
    { ...rename, $set: { active: true, schemaVersion: 2 } },
  );
  await users(db).updateMany({ schemaVersion: 1 }, { ...rename, $set: { active: false, schemaVersion: 2 } });
}

export async function down(db: Db): Promise<void> {
  await users(db).updateMany(
    { schemaVersion: 2 },
    { $rename: { state: 'status' }, $unset: { active: '' }, $set: { schemaVersion: 1 } },
  );
}
