/**
 * What the canary pass of a SQLite apply cannot go below (issue 17, fifteenth pass): it must read
 * every stored text and digest it for the before-checksum, and read every key to pick the canary.
 * Times, in CPU, over the migration bench's N task documents (`taskBatches`) in a temporary file:
 * - `rows + digest`: pages of `k, doc` in array mode, each text added to a `stored-text` sum and
 *   each key drawn for the canary, as the canary pass does;
 * - `keys + aggregate`: the keys through the key index, the texts summed by a SQLite aggregate
 *   function over the page's key range (no row array built for the texts);
 * - `rows only` and `keys only`: the reads alone.
 *
 *   node --import tsx bench/tools/canary-read-floor.ts [--docs N] [--rounds R]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { keyFraction } from '../../src/core/hash.js';
import { ChecksumAccumulator } from '../../src/migrations/collection-checksum.js';
import { taskBatches } from '../task-workloads.js';

const { values } = parseArgs({
  options: { docs: { type: 'string', default: '100000' }, rounds: { type: 'string', default: '4' } },
});
const docs = Number(values.docs);
const dir = mkdtempSync(join(tmpdir(), 'steward-canary-floor-'));
const db = new Database(join(dir, 'floor.sqlite'));
try {
  db.pragma('journal_mode = WAL');
  db.exec(
    `CREATE TABLE t (k TEXT PRIMARY KEY, doc TEXT NOT NULL) WITHOUT ROWID; CREATE INDEX "t#keys" ON t (k)`,
  );
  const insert = db.prepare('INSERT INTO t VALUES (?, ?)');
  // The migration bench's own task documents (`taskBatches`), so the texts are the ones apply reads.
  db.transaction(() => {
    for (const batch of taskBatches({ docs, batch: 5000, seed: 'bench' }))
      for (const doc of batch) insert.run(`s:${String(doc.id)}`, JSON.stringify(doc));
  })();
  const cpuMs = () => {
    const used = process.cpuUsage();
    return (used.user + used.system) / 1000;
  };
  const rowsPage = db.prepare('SELECT k, doc FROM t WHERE k > ? ORDER BY k LIMIT 1000').raw(true);
  const keysPage = db
    .prepare('SELECT k FROM t INDEXED BY "t#keys" WHERE k > ? ORDER BY k LIMIT 1000')
    .raw(true);
  let sum = ChecksumAccumulator.of('stored-text');
  db.aggregate('sum_texts', {
    start: 0,
    step: (n: number, text: unknown) => {
      sum.addText(String(text));
      return n + 1;
    },
  });
  const rangeSum = db.prepare('SELECT sum_texts(doc) FROM t WHERE k > ? AND k <= ?').pluck();
  /** Reads every page; `each` sees it; returns the canary count and the sum's hash. */
  const pages = (page: Database.Statement, each: (rows: string[][], after: string) => void) => {
    let after = '';
    for (;;) {
      const rows = page.all(after) as string[][];
      if (rows.length === 0) return;
      each(rows, after);
      after = rows.at(-1)![0]!;
    }
  };
  const ways: Record<string, () => string> = {
    'rows + digest': () => {
      sum = ChecksumAccumulator.of('stored-text');
      let canary = 0;
      pages(rowsPage, (rows) => {
        for (const [k, text] of rows) {
          sum.addText(text!);
          if (keyFraction(k!, 'plan') < 0.05) canary++;
        }
      });
      return `${canary} canary, ${sum.result().hash.slice(0, 17)}`;
    },
    'keys + aggregate': () => {
      sum = ChecksumAccumulator.of('stored-text');
      let canary = 0;
      pages(keysPage, (rows, after) => {
        for (const [k] of rows) if (keyFraction(k!, 'plan') < 0.05) canary++;
        rangeSum.get(after, rows.at(-1)![0]);
      });
      return `${canary} canary, ${sum.result().hash.slice(0, 17)}`;
    },
    'rows only': () => {
      let n = 0;
      pages(rowsPage, (rows) => {
        n += rows.length;
      });
      return `${n} rows`;
    },
    'keys only': () => {
      let n = 0;
      pages(keysPage, (rows) => {
        n += rows.length;
      });
      return `${n} keys`;
    },
  };
  for (let round = 1; round <= Number(values.rounds); round++)
    for (const [name, way] of Object.entries(ways)) {
      const start = cpuMs();
      const out = way();
      console.log(`round ${round}: ${name.padEnd(16)} ${Math.round(cpuMs() - start)} ms CPU (${out})`);
    }
} finally {
  db.close();
  rmSync(dir, { recursive: true, force: true });
}
