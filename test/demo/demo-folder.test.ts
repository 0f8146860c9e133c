/**
 * The demo's folder rules, without running the demo: it builds only in a folder it creates, an
 * empty one, or one an earlier run marked as its own, from which it removes exactly what that run
 * wrote. Anything else is refused before a byte is written or removed.
 */
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { claimDemoFolder, demoMarkerName } from '../../src/demo/demo-folder.js';
import { isStewardError } from '../../src/errors/steward-error.js';

const fresh = () => mkdtempSync(join(tmpdir(), 'steward-demo-folder-'));

/** Writes files (relative path -> content), creating their folders. */
function files(dir: string, contents: Record<string, string>): void {
  for (const [path, text] of Object.entries(contents)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

/** What a demo run writes, in short. */
function demoRun(dir: string): void {
  files(dir, {
    'steward.sqlite': 'db',
    'steward.config.json': '{}',
    'keys/alice.key.pem': 'k',
    'migrations/2026-07-01-subject-display-name.migration.ts': 'm',
    '.steward/reports/abc.json': '{}',
  });
}

const refused = (pattern: RegExp) => (e: unknown) =>
  isStewardError(e, 'usage') && e.exitCode === 2 && pattern.test(e.message);

describe('the demo folder', () => {
  test('a folder that does not exist is created and marked before anything else', () => {
    const dir = join(fresh(), 'a', 'b');
    const folder = claimDemoFolder(join(dir, 'steward.sqlite'));
    assert.equal(folder.created, true);
    assert.deepEqual(readdirSync(dir), [demoMarkerName]);
    demoRun(dir);
    const written = folder.finish();
    assert.ok(written.includes('keys/alice.key.pem') && written.includes('keys/'));
    assert.ok(!written.includes(demoMarkerName));
    const marker = JSON.parse(readFileSync(join(dir, demoMarkerName), 'utf8'));
    assert.equal(marker.complete, true);
    assert.deepEqual(marker.entries, written);
  });

  test('a project folder is refused, naming what is in it, and nothing is written', () => {
    const dir = fresh();
    files(dir, {
      'migrations/mine.migration.ts': 'export default {}',
      'keys/carol.key.pem': 'secret',
      'steward.config.json': '{"mine":true}',
    });
    assert.throws(
      () => claimDemoFolder(join(dir, 'demo.db')),
      refused(/is not empty and was not made by the demo: it holds keys, migrations, steward\.config\.json/),
    );
    assert.deepEqual(readdirSync(dir).sort(), ['keys', 'migrations', 'steward.config.json']);
    assert.equal(readFileSync(join(dir, 'steward.config.json'), 'utf8'), '{"mine":true}');
    assert.equal(readFileSync(join(dir, 'keys/carol.key.pem'), 'utf8'), 'secret');
  });

  test('an existing file at --file is refused, whatever it is', () => {
    const dir = fresh();
    files(dir, { 'notes.txt': 'my notes' });
    assert.throws(() => claimDemoFolder(join(dir, 'notes.txt')), refused(/holds notes\.txt/));
    assert.equal(readFileSync(join(dir, 'notes.txt'), 'utf8'), 'my notes');
    assert.ok(!existsSync(join(dir, demoMarkerName)));
  });

  test('an empty folder is used; a folder named by --file is refused', () => {
    const dir = fresh();
    assert.equal(claimDemoFolder(join(dir, 'steward.sqlite')).created, false);
    const other = fresh();
    mkdirSync(join(other, 'db'));
    assert.throws(() => claimDemoFolder(join(other, 'db')), refused(/holds db/));
  });

  test('a re-run removes exactly what the last run wrote', () => {
    const dir = fresh();
    const first = claimDemoFolder(join(dir, 'steward.sqlite'));
    demoRun(dir);
    first.finish();
    files(dir, { 'steward.sqlite-wal': 'wal' });
    const again = claimDemoFolder(join(dir, 'steward.sqlite'));
    assert.equal(again.created, false);
    assert.ok(again.removed.includes('steward.sqlite-wal') && again.removed.includes('keys/alice.key.pem'));
    assert.deepEqual(readdirSync(dir), [demoMarkerName]);
  });

  test('a re-run is refused while anything the demo did not write is there, and removes nothing', () => {
    const dir = fresh();
    const first = claimDemoFolder(join(dir, 'steward.sqlite'));
    demoRun(dir);
    first.finish();
    files(dir, { 'migrations/mine.migration.ts': 'mine', 'notes/a.txt': 'a', 'notes/b.txt': 'b' });
    assert.throws(
      () => claimDemoFolder(join(dir, 'steward.sqlite')),
      refused(/made by steward demo, but it also holds migrations\/mine\.migration\.ts, notes\/, which/),
    );
    assert.equal(readFileSync(join(dir, 'migrations/mine.migration.ts'), 'utf8'), 'mine');
    assert.ok(existsSync(join(dir, 'steward.sqlite')), 'the demo files are still there');
    assert.equal(JSON.parse(readFileSync(join(dir, demoMarkerName), 'utf8')).complete, true);
  });

  test("after an interrupted run, only the demo's own names are removed", () => {
    const dir = fresh();
    claimDemoFolder(join(dir, 'steward.sqlite'));
    demoRun(dir); // no finish(): killed before the end
    files(dir, { 'stray.txt': 'x' });
    assert.throws(() => claimDemoFolder(join(dir, 'steward.sqlite')), refused(/also holds stray\.txt/));
    assert.ok(existsSync(join(dir, 'keys/alice.key.pem')));
    rmSync(join(dir, 'stray.txt'));
    claimDemoFolder(join(dir, 'steward.sqlite'));
    assert.deepEqual(readdirSync(dir), [demoMarkerName]);
  });

  test("a marker steward did not write does not make a folder the demo's", () => {
    const dir = fresh();
    files(dir, { [demoMarkerName]: 'not json', 'data.txt': 'x' });
    assert.throws(() => claimDemoFolder(join(dir, 'steward.sqlite')), refused(/holds data\.txt/));
    assert.equal(readFileSync(join(dir, demoMarkerName), 'utf8'), 'not json');
  });
});
