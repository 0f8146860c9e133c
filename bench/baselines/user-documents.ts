import { createHash } from 'node:crypto';
import { ObjectId } from 'mongodb';

/**
 * The user documents of the migrate-mongo side-by-side bench (issue 17), as a MongoDB user holds
 * them: string keys, a Date, an ObjectId, nested objects, arrays, 32-bit ints and doubles, and a
 * schema version. The migration renames `status` to `state` and derives `active` from it.
 *
 * One document in fifty is what makes a hand-written `down` lossy in users' data, in three kinds
 * taken in turn: it already had a `state` (a US state written by an older app), it has no `status`,
 * or it holds a null in the derived field's name (`active: null`). 40 of 2,000, as issue 17 saw.
 */
export type Planted = 'had-state' | 'no-status' | 'null-active';

const plantedKinds: readonly Planted[] = ['had-state', 'no-status', 'null-active'];
const statuses = ['active', 'active', 'active', 'suspended', 'closed'] as const;
const plans = ['free', 'pro', 'team'] as const;
const cities = ['Lisbon', 'Austin', 'Osaka', 'Lagos', 'Oslo'] as const;

/** The kind planted in document `i`, if any: every fiftieth, from the eighth on. */
export function plantedAt(i: number): Planted | undefined {
  return i % 50 === 7 ? plantedKinds[Math.floor(i / 50) % plantedKinds.length] : undefined;
}

/** How many of `docs` documents are planted. */
export function plantedCount(docs: number): number {
  let n = 0;
  for (let i = 0; i < docs; i++) if (plantedAt(i)) n++;
  return n;
}

/** A number in [0, 1) from the seed and a label: the same documents on every run and store. */
function draw(seed: string, i: number, label: string): number {
  return createHash('sha256').update(`${seed}:${i}:${label}`).digest().readUInt32BE(0) / 2 ** 32;
}

function pick<T>(items: readonly T[], r: number): T {
  return items[Math.floor(r * items.length)]!;
}

/** User document `i` of a run, as the driver stores it. */
export function userDocument(seed: string, i: number): Record<string, unknown> {
  const r = (label: string) => draw(seed, i, label);
  const id = `user-${String(i).padStart(7, '0')}`;
  const doc: Record<string, unknown> = {
    _id: id,
    schemaVersion: 1,
    email: `${id}@example.org`,
    name: `User ${i}`,
    status: pick(statuses, r('status')),
    plan: pick(plans, r('plan')),
    orgId: new ObjectId(
      createHash('sha256')
        .update(`${seed}:org:${i % 97}`)
        .digest('hex')
        .slice(0, 24),
    ),
    createdAt: new Date(Date.UTC(2024, 0, 1) + Math.floor(r('created') * 7e10)),
    logins: Math.floor(r('logins') * 5000),
    score: Math.round(r('score') * 1e6) / 1e3 + 0.5,
    address: { city: pick(cities, r('city')), zip: String(10000 + Math.floor(r('zip') * 89999)) },
    tags: ['beta', 'newsletter', 'sso'].filter((_, t) => r(`tag${t}`) < 0.4),
  };
  switch (plantedAt(i)) {
    case 'had-state':
      doc.state = 'CA';
      break;
    case 'no-status':
      delete doc.status;
      break;
    case 'null-active':
      doc.active = null;
      break;
  }
  return doc;
}

/** Batches of `size` user documents, `docs` in all. */
export function* userBatches(seed: string, docs: number, size: number): Generator<Record<string, unknown>[]> {
  for (let start = 0; start < docs; start += size) {
    const batch: Record<string, unknown>[] = [];
    for (let i = start; i < Math.min(start + size, docs); i++) batch.push(userDocument(seed, i));
    yield batch;
  }
}
