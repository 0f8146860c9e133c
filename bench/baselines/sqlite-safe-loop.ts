import type Database from 'better-sqlite3';
import type { JsonObject } from '../../src/core/json.js';
import type { DigestCensus, SafeLoopJob, SafeLoopResult, SafeRollbackResult } from './baseline.js';
import { addDigest, canonicalJson, digestPrefix, textDigest } from './canonical-json.js';

/**
 * The safe migration written by hand with better-sqlite3 (issue 17, eighth pass): the guarantees
 * `migrate apply` gives, paid for the cheapest way the driver allows, so the bench can say what
 * the guarantees cost any program on this store and what is steward's own overhead.
 *
 * - a before-image of every written document, committed with its write: rollback restores the
 *   exact text, and a crash never leaves a write without its image;
 * - a before and an after checksum (sums of SHA-256 digests of canonical JSON): rollback proves
 *   the collection is back as it was, and tells a document changed since apply from one it wrote;
 * - the contract check of every written document: nothing that breaks the contract is written;
 * - a conditional write on the version read: a document someone moved on since the read is
 *   refused, not overwritten;
 * - a checkpoint per page in the same transaction: a rerun resumes after the last committed page.
 */
export interface SqliteSafeLoop {
  /** Drops and recreates the image and checkpoint tables. */
  reset(): void;
  run(job: SafeLoopJob): SafeLoopResult;
  rollback(poll: () => void): SafeRollbackResult;
  census(): DigestCensus;
  drop(): void;
}

/** The safe loop over `table` (`id TEXT PRIMARY KEY, doc TEXT`), its images and checkpoints beside it. */
export function sqliteSafeLoop(db: Database.Database, table: string): SqliteSafeLoop {
  const images = `${table}_images`;
  const checkpoints = `${table}_checkpoints`;
  return {
    reset() {
      db.exec(`DROP TABLE IF EXISTS ${images}; DROP TABLE IF EXISTS ${checkpoints}`);
      // The image is one row a page: the entries joined into one JSON array text, so saving the
      // before-images costs one INSERT a page, not one a document.
      db.exec(`CREATE TABLE ${images} (page INTEGER PRIMARY KEY, entries TEXT NOT NULL)`);
      db.exec(
        `CREATE TABLE ${checkpoints} (job TEXT PRIMARY KEY, last TEXT NOT NULL, pages INTEGER NOT NULL, ` +
          'docs INTEGER NOT NULL, before_sum INTEGER NOT NULL, after_sum INTEGER NOT NULL)',
      );
    },
    run: (job) => runSafeLoop(db, table, job),
    rollback: (poll) => rollbackSafeLoop(db, table, poll),
    census: () => digestCensus(db, table),
    drop() {
      db.exec(`DROP TABLE IF EXISTS ${images}; DROP TABLE IF EXISTS ${checkpoints}`);
    },
  };
}

/** A checkpoint row: where a job resumes, and its running sums. */
type Checkpoint = [last: string, pages: number, docs: number, beforeSum: number, afterSum: number];

/** The statements of the apply loop, prepared once. */
function applyStatements(db: Database.Database, table: string) {
  return {
    page: db.prepare(`SELECT id, doc FROM ${table} WHERE id > ? ORDER BY id LIMIT ?`).raw(true),
    // The condition on the version read: a document moved on since the read is refused (0 changes).
    update: db.prepare(`UPDATE ${table} SET doc = ? WHERE id = ? AND doc->>'$.schemaVersion' IS ?`),
    image: db.prepare(`INSERT INTO ${table}_images (page, entries) VALUES (?, ?)`),
    checkpoint: db.prepare(
      `INSERT OR REPLACE INTO ${table}_checkpoints (job, last, pages, docs, before_sum, after_sum) ` +
        `VALUES ('apply', ?, ?, ?, ?, ?)`,
    ),
    resume: db
      .prepare(
        `SELECT last, pages, docs, before_sum, after_sum FROM ${table}_checkpoints WHERE job = 'apply'`,
      )
      .raw(true),
  };
}

/**
 * The apply loop. Everything a document costs happens in JavaScript before the page's transaction
 * opens, so the write lock is held only for the image, the UPDATEs and the checkpoint.
 */
function runSafeLoop(db: Database.Database, table: string, job: SafeLoopJob): SafeLoopResult {
  const s = applyStatements(db, table);
  // Resumes after the last committed page: a rerun after kill -9 redoes no committed work.
  let [last, pages, docs, beforeSum, afterSum] = (s.resume.get() as Checkpoint | undefined) ?? [
    '',
    0,
    0,
    0,
    0,
  ];
  const writePage = db.transaction(
    (entries: string, ids: string[], texts: string[], versions: unknown[], sums: Checkpoint) => {
      s.image.run(sums[1], entries);
      for (let i = 0; i < ids.length; i++) {
        if (s.update.run(texts[i], ids[i], versions[i]).changes !== 1)
          throw new Error(`safe loop: ${ids[i]} changed since it was read (conflict); page rolled back`);
      }
      s.checkpoint.run(sums);
    },
  );
  for (;;) {
    const rows = s.page.all(last, job.pageSize) as [string, string][];
    if (rows.length === 0) break;
    const n = rows.length;
    const ids = new Array<string>(n);
    const texts = new Array<string>(n);
    const versions = new Array<unknown>(n);
    let entries = '[';
    for (let i = 0; i < n; i++) {
      const [id, text] = rows[i]!;
      const doc = JSON.parse(text) as JsonObject;
      // Before digest: the checksum rollback's census proves itself against.
      beforeSum = addDigest(beforeSum, digestPrefix(textDigest(canonicalJson(doc))));
      const next = job.transform(doc);
      const problem = job.check(next);
      if (problem !== undefined) throw new Error(`safe loop: ${id} ${problem}`);
      // After digest: kept in the image, so rollback can tell a document still as written.
      const after = textDigest(canonicalJson(next));
      afterSum = addDigest(afterSum, digestPrefix(after));
      ids[i] = id;
      texts[i] = JSON.stringify(next);
      versions[i] = doc.schemaVersion ?? null;
      // The entry: key, written version, after digest, and the before text as read (a JSON
      // string: rollback writes it back byte for byte without stringifying a document).
      entries += `${i === 0 ? '' : ','}${JSON.stringify(id)},${JSON.stringify(next.schemaVersion ?? null)},"${after}",${JSON.stringify(text)}`;
    }
    last = ids[n - 1]!;
    pages++;
    docs += n;
    // BEGIN IMMEDIATE: the write lock from the start, so the transaction cannot fail to upgrade.
    writePage.immediate(`${entries}]`, ids, texts, versions, [last, pages, docs, beforeSum, afterSum]);
    job.poll();
  }
  return { docs, pages, beforeSum, afterSum };
}

/** The statements of the rollback loop, prepared once. */
function rollbackStatements(db: Database.Database, table: string) {
  return {
    image: db
      .prepare(`SELECT page, entries FROM ${table}_images WHERE page > ? ORDER BY page LIMIT 1`)
      .raw(true),
    current: db.prepare(`SELECT id, doc FROM ${table} WHERE id >= ? AND id <= ? ORDER BY id`).raw(true),
    // The condition on the text checked: a write between the check and the restore is refused.
    restore: db.prepare(`UPDATE ${table} SET doc = ? WHERE id = ? AND doc = ?`),
    checkpoint: db.prepare(
      `INSERT OR REPLACE INTO ${table}_checkpoints (job, last, pages, docs, before_sum, after_sum) ` +
        `VALUES ('rollback', ?, ?, ?, 0, 0)`,
    ),
    resume: db.prepare(`SELECT last, docs FROM ${table}_checkpoints WHERE job = 'rollback'`).raw(true),
    applied: db.prepare(`SELECT docs, before_sum FROM ${table}_checkpoints WHERE job = 'apply'`).raw(true),
  };
}

/**
 * The rollback loop: each image's documents read as they are now, each checked to be still as
 * apply wrote it (its canonical digest equals the image's after digest), then restored on the
 * condition that its text is the one checked, with a checkpoint, in one transaction per image.
 */
function rollbackSafeLoop(db: Database.Database, table: string, poll: () => void): SafeRollbackResult {
  const s = rollbackStatements(db, table);
  const applied = s.applied.get() as [number, number] | undefined;
  if (!applied) throw new Error('safe rollback: no apply checkpoint, nothing to roll back');
  const resumed = s.resume.get() as [string, number] | undefined;
  let page = resumed ? Number(resumed[0]) : 0;
  let docs = resumed ? resumed[1] : 0;
  const restorePage = db.transaction((entries: unknown[], current: string[], at: number, done: number) => {
    for (let e = 0, i = 0; e < entries.length; e += 4, i++) {
      if (s.restore.run(entries[e + 3], entries[e], current[i]).changes !== 1)
        throw new Error(`safe rollback: ${entries[e]} changed since it was checked (conflict)`);
    }
    s.checkpoint.run(String(at), at, done);
  });
  for (;;) {
    const row = s.image.get(page) as [number, string] | undefined;
    if (!row) break;
    const entries = JSON.parse(row[1]) as unknown[];
    const current = checkedCurrent(s.current, entries);
    page = row[0];
    docs += current.length;
    restorePage.immediate(entries, current, page, docs);
    poll();
  }
  const census = digestCensus(db, table);
  return { docs, census, exact: census.count === applied[0] && census.sum === applied[1] };
}

/**
 * The current texts of an image's documents, in its order, each checked to be still as apply
 * wrote it. One range read of the page (the image's keys are in key order), walked beside it.
 */
function checkedCurrent(read: Database.Statement, entries: readonly unknown[]): string[] {
  const first = entries[0] as string;
  const lastKey = entries[entries.length - 4] as string;
  const rows = read.all(first, lastKey) as [string, string][];
  const out = new Array<string>(entries.length / 4);
  let r = 0;
  for (let e = 0, i = 0; e < entries.length; e += 4, i++) {
    const id = entries[e] as string;
    while (r < rows.length && rows[r]![0] !== id) r++;
    const row = rows[r];
    if (!row) throw new Error(`safe rollback: ${id} is gone since apply (conflict)`);
    const doc = JSON.parse(row[1]) as JsonObject;
    if (doc.schemaVersion !== entries[e + 1] || textDigest(canonicalJson(doc)) !== entries[e + 2])
      throw new Error(`safe rollback: ${id} changed since apply wrote it (conflict)`);
    out[i] = row[1];
  }
  return out;
}

/** The table's count, checksum and documents per version: every document parsed and hashed. */
function digestCensus(db: Database.Database, table: string): DigestCensus {
  const page = db.prepare(`SELECT id, doc FROM ${table} WHERE id > ? ORDER BY id LIMIT 1000`).raw(true);
  const versions: Record<string, number> = {};
  let count = 0;
  let sum = 0;
  let last = '';
  for (;;) {
    const rows = page.all(last) as [string, string][];
    if (rows.length === 0) break;
    for (const [, text] of rows) {
      const doc = JSON.parse(text) as JsonObject;
      sum = addDigest(sum, digestPrefix(textDigest(canonicalJson(doc))));
      const version = String(doc.schemaVersion ?? null);
      versions[version] = (versions[version] ?? 0) + 1;
      count++;
    }
    last = rows.at(-1)![0];
  }
  return { count, sum, versions };
}
