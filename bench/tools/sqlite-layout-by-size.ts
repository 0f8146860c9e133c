/**
 * What a collection's SQLite layout costs by document size (issue 17, fifteenth pass): N documents
 * of about `--pad` characters in a `WITHOUT ROWID` table (steward's) and in a rowid table with the
 * key's autoindex (`largeDocuments`, or a table an application made itself), each timed in CPU for
 * a bulk insert in one transaction, a paged scan in key order, and a safe read-modify-write loop
 * (pages of 1,000, each UPDATE conditional on the text read, one transaction a page), as apply does.
 *
 *   node --import tsx bench/tools/sqlite-layout-by-size.ts [--docs N] [--pad C ...] [--order key|random]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';

const { values } = parseArgs({
  options: {
    docs: { type: 'string', default: '100000' },
    pad: { type: 'string', multiple: true, default: ['200', '1000', '4000'] },
    // `random`: keys inserted out of order, as UUIDs are; a rowid table's rows then lie in insert
    // order, not key order, and a scan in key order visits them at random.
    order: { type: 'string', default: 'key' },
  },
});
const docs = Number(values.docs);
/** The insert order: 0..N-1, or a fixed shuffle of it. */
const order = Array.from({ length: docs }, (_, i) => i);
if (values.order === 'random')
  for (let i = docs - 1, seed = 1; i > 0; i--) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    const j = seed % (i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
const cpuMs = () => {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1000;
};
const dir = mkdtempSync(join(tmpdir(), 'steward-layout-'));
let runs = 0;
try {
  for (const pad of values.pad.map(Number))
    for (const layout of ['WITHOUT ROWID', 'rowid'] as const) {
      const db = new Database(join(dir, `${layout === 'rowid' ? 'rowid' : 'wr'}-${pad}-${++runs}.sqlite`));
      try {
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = NORMAL');
        db.exec(
          `CREATE TABLE t (k TEXT PRIMARY KEY, doc TEXT NOT NULL)${layout === 'rowid' ? '' : ' WITHOUT ROWID'}`,
        );
        const text = (i: number, version: number) =>
          JSON.stringify({
            id: `task-${i}`,
            schemaVersion: version,
            title: `Task ${i}`,
            notes: 'n'.repeat(pad),
          });
        const insert = db.prepare('INSERT INTO t (k, doc) VALUES (?, ?)');
        let start = cpuMs();
        db.transaction(() => {
          for (const i of order) insert.run(`s:task-${String(i).padStart(7, '0')}`, text(i, 1));
        })();
        const insertMs = cpuMs() - start;
        const page = db.prepare('SELECT k, doc FROM t WHERE k > ? ORDER BY k LIMIT 1000').raw(true);
        const pages = function* () {
          let after = '';
          for (;;) {
            const rows = page.all(after) as [string, string][];
            if (rows.length === 0) return;
            yield rows;
            after = rows.at(-1)![0];
          }
        };
        start = cpuMs();
        let read = 0;
        for (const rows of pages()) read += rows.length;
        const scanMs = cpuMs() - start;
        const update = db.prepare('UPDATE t SET doc = ? WHERE k = ? AND doc = ?');
        const writePage = db.transaction((rows: [string, string][]) => {
          for (const [k, before] of rows) {
            const doc = JSON.parse(before) as { schemaVersion: number };
            doc.schemaVersion = 2;
            if (update.run(JSON.stringify(doc), k, before).changes !== 1) throw new Error(`${k} changed`);
          }
        });
        start = cpuMs();
        // Pages are read before they are written: a page's rows are all in memory first.
        for (const rows of pages()) writePage(rows);
        const loopMs = cpuMs() - start;
        console.log(
          `${String(pad).padStart(5)} chars, ${layout.padEnd(13)}: insert ${Math.round(insertMs)} ms, ` +
            `scan ${Math.round(scanMs)} ms (${read} rows), read-modify-write ${Math.round(loopMs)} ms`,
        );
      } finally {
        db.close();
      }
    }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
