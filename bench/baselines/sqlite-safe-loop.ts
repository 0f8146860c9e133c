import type Database from 'better-sqlite3';
import type { JsonObject } from '../../src/core/json.js';
import type { DigestCensus, SafeLoopJob, SafeLoopResult, SafeRollbackResult } from './baseline.js';
import { addDigest, digestTail, textDigest } from './digest-sum.js';
import { imageEntries, imageHeadEntry } from './safe-loop-image.js';

/**
 * The safe migration written by hand with better-sqlite3 (issue 17, eighth pass): the guarantees
 * `migrate apply` gives, paid for the cheapest way the driver allows, so the bench can say what
 * the guarantees cost any program on this store and what is steward's own overhead.
 *
 * - a before-image of every written document, committed with its write: rollback restores the
 *   exact text, and a crash never leaves a write without its image;
 * - a before and an after checksum, sums of SHA-256 of each document's stored text byte for byte,
 *   as steward's `stored-text` checksums on SQLite (issue 17, ninth pass): the before digest is of
 *   the text read, the after digest of the text written (the `JSON.stringify` the UPDATE stores);
 *   rollback proves the collection is back as it was, and tells a document changed since apply
 *   from one it wrote by the digest of its stored text alone. No canonical JSON: the texts are put
 *   back byte for byte, so equal text is the exact witness (canonical-json.ts serves DynamoDB's
 *   loop only, where steward keeps content checksums);
 * - the contract check of every written document: nothing that breaks the contract is written;
 * - a conditional write: a document someone changed since the read is refused, not overwritten
 *   (on the whole text read, which refuses more than apply's condition on the version read and
 *   costs 0.3 µs a document less than `doc->>'$.schemaVersion' IS ?`: SQLite compares bytes
 *   instead of parsing the stored JSON);
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
      // The image is one row a page (see `imageText`), so saving the before-images costs one
      // INSERT a page, not one a document.
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
    // The condition on the text read: a document changed since the read is refused (0 changes).
    update: db.prepare(`UPDATE ${table} SET doc = ? WHERE id = ? AND doc = ?`),
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
    (image: string, rows: [string, string][], texts: string[], sums: Checkpoint) => {
      s.image.run(sums[1], image);
      for (let i = 0; i < rows.length; i++) {
        const [id, before] = rows[i]!;
        if (s.update.run(texts[i], id, before).changes !== 1)
          throw new Error(`safe loop: ${id} changed since it was read (conflict); page rolled back`);
      }
      s.checkpoint.run(sums);
    },
  );
  for (;;) {
    const rows = s.page.all(last, job.pageSize) as [string, string][];
    if (rows.length === 0) break;
    const n = rows.length;
    const texts = new Array<string>(n);
    let head = '[';
    for (let i = 0; i < n; i++) {
      const [id, text] = rows[i]!;
      // Before digest, of the text read: the checksum rollback's census proves itself against.
      beforeSum = addDigest(beforeSum, digestTail(textDigest(text)));
      const next = job.transform(JSON.parse(text) as JsonObject);
      const problem = job.check(next);
      if (problem !== undefined) throw new Error(`safe loop: ${id} ${problem}`);
      // After digest, of the text written: kept in the image, so rollback can tell a document
      // still as written.
      const written = JSON.stringify(next);
      const after = textDigest(written);
      afterSum = addDigest(afterSum, digestTail(after));
      texts[i] = written;
      head += `${i === 0 ? '' : ','}${imageHeadEntry(id, next.schemaVersion, after, text)}`;
    }
    last = rows[n - 1]![0];
    pages++;
    docs += n;
    // BEGIN IMMEDIATE: the write lock from the start, so the transaction cannot fail to upgrade.
    writePage.immediate(imageText(head, rows), rows, texts, [last, pages, docs, beforeSum, afterSum]);
    job.poll();
  }
  return { docs, pages, beforeSum, afterSum };
}

/**
 * A page's image (safe-loop-image.ts): the head, a newline, then the before texts as read, joined.
 * The head holds no raw newline (JSON text made by JSON.stringify escapes it), so the first one
 * ends it.
 */
function imageText(head: string, rows: readonly [string, string][]): string {
  let out = `${head}]\n`;
  for (let i = 0; i < rows.length; i++) out += rows[i]![1];
  return out;
}

/** A page's image read back: the entries' head values, four an entry, and the before texts. */
function parseImage(image: string): { head: unknown[]; befores: string[] } {
  const end = image.indexOf('\n');
  return imageEntries(image.slice(0, end), image.slice(end + 1));
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
 * apply wrote it (the digest of its stored text equals the image's after digest), then restored
 * on the condition that its text is the one checked, with a checkpoint, in one transaction per
 * image. The image's written version is not read here: the text digest covers it.
 */
function rollbackSafeLoop(db: Database.Database, table: string, poll: () => void): SafeRollbackResult {
  const s = rollbackStatements(db, table);
  const applied = s.applied.get() as [number, number] | undefined;
  if (!applied) throw new Error('safe rollback: no apply checkpoint, nothing to roll back');
  const resumed = s.resume.get() as [string, number] | undefined;
  let page = resumed ? Number(resumed[0]) : 0;
  let docs = resumed ? resumed[1] : 0;
  const restorePage = db.transaction(
    (head: unknown[], befores: string[], current: string[], at: number, done: number) => {
      for (let e = 0, i = 0; e < head.length; e += 4, i++) {
        if (s.restore.run(befores[i], head[e], current[i]).changes !== 1)
          throw new Error(`safe rollback: ${head[e]} changed since it was checked (conflict)`);
      }
      s.checkpoint.run(String(at), at, done);
    },
  );
  for (;;) {
    const row = s.image.get(page) as [number, string] | undefined;
    if (!row) break;
    const { head, befores } = parseImage(row[1]);
    const current = checkedCurrent(s.current, head);
    page = row[0];
    docs += current.length;
    restorePage.immediate(head, befores, current, page, docs);
    poll();
  }
  const census = digestCensus(db, table);
  return { docs, census, exact: census.count === applied[0] && census.sum === applied[1] };
}

/**
 * The current texts of an image's documents, in its order, each checked to be still as apply
 * wrote it: the SHA-256 of its stored text is the after digest, nothing parsed (as steward's
 * restore on a text digest). One range read of the page (the image's keys are in key order),
 * walked beside it.
 */
function checkedCurrent(read: Database.Statement, head: readonly unknown[]): string[] {
  const first = head[0] as string;
  const lastKey = head[head.length - 4] as string;
  const rows = read.all(first, lastKey) as [string, string][];
  const out = new Array<string>(head.length / 4);
  let r = 0;
  for (let e = 0, i = 0; e < head.length; e += 4, i++) {
    const id = head[e] as string;
    while (r < rows.length && rows[r]![0] !== id) r++;
    const row = rows[r];
    if (!row) throw new Error(`safe rollback: ${id} is gone since apply (conflict)`);
    if (textDigest(row[1]) !== head[e + 2])
      throw new Error(`safe rollback: ${id} changed since apply wrote it (conflict)`);
    out[i] = row[1];
  }
  return out;
}

/**
 * The table's count, checksum and documents per version: every stored text hashed, and parsed for
 * its version (as steward's census reads versions).
 */
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
      sum = addDigest(sum, digestTail(textDigest(text)));
      const version = String(doc.schemaVersion ?? null);
      versions[version] = (versions[version] ?? 0) + 1;
      count++;
    }
    last = rows.at(-1)![0];
  }
  return { count, sum, versions };
}
