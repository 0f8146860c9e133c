/**
 * What each guarantee of the hand-written safe migration costs a document on SQLite (issue 17,
 * eighth pass), apart from any other: the loop of `sqlite-safe-loop.ts` taken step by step over
 * each page (every document through one step, then every document through the next), each step
 * timed with `process.cpuUsage`. Run:
 *
 *   node --import tsx bench/baselines/sqlite-safe-loop-steps.ts [docs] [pageSize] [rounds]
 *
 * Prints CPU microseconds per document for each step (best round), their total, and the safe loop
 * itself (`safeUpdateLoop`, measured whole in the same process) for scale: step by step the
 * documents of a page are walked nine times, so the total is a little above the loop's.
 * Lives beside the baselines because it opens the driver, which only they may.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { JsonObject } from '../../src/core/json.js';
import { migrated } from '../migration-workload.js';
import { handWrittenCheck } from '../safe-loop-baseline.js';
import { taskBatches } from '../task-workloads.js';
import { baselineName } from './baseline.js';
import { addDigest, digestTail, textDigest } from './digest-sum.js';
import { imageHeadEntry } from './safe-loop-image.js';
import { openSqliteBaseline } from './sqlite-baseline.js';

const docs = Number(process.argv[2] ?? 100_000);
const pageSize = Number(process.argv[3] ?? 5000);
const rounds = Number(process.argv[4] ?? 3);
const dir = mkdtempSync(join(tmpdir(), 'steward-safe-steps-'));
const file = join(dir, 'steps.sqlite');
const check = handWrittenCheck();

const steps = [
  'read + parse',
  'before digest',
  'transform',
  'check',
  'stringify',
  'after digest',
  'image text',
  'image INSERT',
  'conditional UPDATEs',
  'checkpoint + COMMIT',
] as const;

async function load(): Promise<void> {
  const baseline = openSqliteBaseline({ kind: 'sqlite', file } as never);
  await baseline.reset();
  for (const batch of taskBatches({ docs, batch: 5000, seed: 'bench' })) await baseline.write(batch);
  await baseline.close();
}

/** One pass of the loop, step by step; CPU µs spent in each step. */
function stepwise(): number[] {
  const spent = new Array<number>(steps.length).fill(0);
  let at = process.cpuUsage();
  const lap = (step: number): void => {
    const now = process.cpuUsage();
    spent[step]! += now.user - at.user + now.system - at.system;
    at = now;
  };
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const t = baselineName;
  const page = db.prepare(`SELECT id, doc FROM ${t} WHERE id > ? ORDER BY id LIMIT ?`).raw(true);
  const update = db.prepare(`UPDATE ${t} SET doc = ? WHERE id = ? AND doc = ?`);
  const image = db.prepare(`INSERT INTO ${t}_images (page, entries) VALUES (?, ?)`);
  const checkpoint = db.prepare(
    `INSERT OR REPLACE INTO ${t}_checkpoints (job, last, pages, docs, before_sum, after_sum) VALUES ('apply', ?, ?, ?, ?, ?)`,
  );
  const begin = db.prepare('BEGIN IMMEDIATE');
  const commit = db.prepare('COMMIT');
  let last = '';
  let pages = 0;
  let done = 0;
  let beforeSum = 0;
  let afterSum = 0;
  at = process.cpuUsage();
  for (;;) {
    const rows = page.all(last, pageSize) as [string, string][];
    if (rows.length === 0) break;
    const n = rows.length;
    const parsed = rows.map((row) => JSON.parse(row[1]) as JsonObject);
    lap(0);
    // Of the stored text read, as the loop (steward's `stored-text` checksums).
    for (let i = 0; i < n; i++) beforeSum = addDigest(beforeSum, digestTail(textDigest(rows[i]![1])));
    lap(1);
    const next = parsed.map(migrated);
    lap(2);
    for (let i = 0; i < n; i++) if (check(next[i]!) !== undefined) throw new Error('check failed');
    lap(3);
    // The text written is made first: the after digest is of it, as the loop's.
    const texts = next.map((doc) => JSON.stringify(doc));
    lap(4);
    const afters = new Array<string>(n);
    for (let i = 0; i < n; i++) {
      afters[i] = textDigest(texts[i]!);
      afterSum = addDigest(afterSum, digestTail(afters[i]!));
    }
    lap(5);
    let entries = '[';
    for (let i = 0; i < n; i++)
      entries += `${i === 0 ? '' : ','}${imageHeadEntry(rows[i]![0], next[i]!.schemaVersion, afters[i]!, rows[i]![1])}`;
    entries += ']\n';
    for (let i = 0; i < n; i++) entries += rows[i]![1];
    lap(6);
    begin.run();
    image.run(++pages, entries);
    lap(7);
    for (let i = 0; i < n; i++)
      if (update.run(texts[i], rows[i]![0], rows[i]![1]).changes !== 1) throw new Error('conflict');
    lap(8);
    last = rows[n - 1]![0];
    done += n;
    checkpoint.run(last, pages, done, beforeSum, afterSum);
    commit.run();
    lap(9);
  }
  db.close();
  if (done !== docs) throw new Error(`stepwise pass did ${done} of ${docs}`);
  return spent;
}

/** The safe loop itself, whole: CPU µs. */
async function whole(): Promise<number> {
  const baseline = openSqliteBaseline({ kind: 'sqlite', file } as never);
  const start = process.cpuUsage();
  const result = await baseline.safeUpdateLoop!({
    transform: migrated,
    check,
    pageSize,
    poll: () => undefined,
  });
  const used = process.cpuUsage(start);
  await baseline.close();
  if (result.docs !== docs) throw new Error(`safe loop did ${result.docs} of ${docs}`);
  return used.user + used.system;
}

const best = new Array<number>(steps.length).fill(Number.POSITIVE_INFINITY);
let bestWhole = Number.POSITIVE_INFINITY;
try {
  for (let round = 0; round < rounds; round++) {
    await load();
    const spent = stepwise();
    for (let i = 0; i < steps.length; i++) best[i] = Math.min(best[i]!, spent[i]!);
    await load();
    bestWhole = Math.min(bestWhole, await whole());
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const us = (total: number) => (total / docs).toFixed(2);
console.log(`${docs} task documents, pages of ${pageSize}, best of ${rounds} rounds`);
console.log('| step | µs CPU per document |\n|---|--:|');
for (let i = 0; i < steps.length; i++) console.log(`| ${steps[i]} | ${us(best[i]!)} |`);
console.log(`| total of the steps | ${us(best.reduce((a, b) => a + b, 0))} |`);
console.log(`| the safe loop, whole | ${us(bestWhole)} |`);
