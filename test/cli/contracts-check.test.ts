/**
 * `steward contracts check` and `contracts deprecations`, run as built, in throwaway git
 * repositories: contracts are committed, edited in the working tree and checked against HEAD.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { writeExampleContracts } from '../../src/example/example-contracts.js';
import { runSteward, type StewardRun } from '../support/run-steward.js';

/** git with an identity and no signing, so commits work on a clean CI machine. */
function git(dir: string, ...args: string[]): void {
  execFileSync(
    'git',
    [
      '-c',
      'user.name=steward-test',
      '-c',
      'user.email=test@example.invalid',
      '-c',
      'commit.gpgsign=false',
      ...args,
    ],
    { cwd: dir, stdio: 'ignore' },
  );
}

function commitAll(dir: string, message = 'contracts'): void {
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '--allow-empty', '-m', message);
}

const made: string[] = [];
after(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A fresh folder, removed when the file's tests are done. */
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'steward-check-'));
  made.push(dir);
  return dir;
}

function emptyRepo(): string {
  const dir = tempDir();
  git(dir, 'init', '-q');
  return dir;
}

const str = { type: 'string' };
const schema = (fields: object = {}) => ({
  type: 'object',
  properties: { id: str, status: str, title: str, ...fields },
  required: ['id'],
});

/** A small contract of `cases`, one version per schema given. */
const cases = (versions: object[], extra: object = {}) => ({
  collection: 'cases',
  owner: 'case-service',
  versions: versions.map((s, i) => ({ version: i + 1, schema: s })),
  consumers: { reporting: { reads: ['status', 'title'] } },
  ...extra,
});

function writeContract(dir: string, contract: { collection: string }, folder = 'contracts'): void {
  mkdirSync(join(dir, folder), { recursive: true });
  writeFileSync(join(dir, folder, `${contract.collection}.contract.json`), JSON.stringify(contract, null, 2));
}

/** A repository with `cases` v1 committed. */
function repoWithCases(): string {
  const dir = emptyRepo();
  writeContract(dir, cases([schema()]));
  commitAll(dir);
  return dir;
}

const check = (dir: string, ...args: string[]) =>
  runSteward(['contracts', 'check', '--baseline', 'HEAD', '--as-of', '2026-05-01', ...args], { cwd: dir });

function assertUserError(run: StewardRun, fragment: string | RegExp): void {
  assert.equal(run.code, 2, `exit code; stderr: ${run.stderr}`);
  assert.match(run.stderr, typeof fragment === 'string' ? new RegExp(escapeRegExp(fragment)) : fragment);
  assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
  assert.doesNotMatch(run.stderr, /internal error/);
}
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('contracts check', () => {
  test('a breaking change in the example fails and names the consumers', async () => {
    const dir = emptyRepo();
    writeExampleContracts(join(dir, 'contracts'));
    commitAll(dir);
    const file = join(dir, 'contracts/cases.contract.json');
    const contract = JSON.parse(readFileSync(file, 'utf8'));
    const v2 = structuredClone(contract.versions[0].schema);
    v2.properties.status.enum = ['open', 'closed'];
    contract.versions.push({ version: 2, schema: v2 });
    writeFileSync(file, JSON.stringify(contract));
    const run = await check(dir);
    assert.equal(run.code, 1, run.stderr);
    assert.match(
      run.stdout,
      /✗ cases \/properties\/status \(status\): enum-narrowed \[full-transitive, backward\] v1→v2 — .*Affects: case-list-projector, reporting \(owner case-service\)/,
    );
    assert.match(run.stdout, /contracts check failed: 1 failing finding/);
  });

  test('a field removed while a consumer reads it fails naming the consumer', async () => {
    const dir = repoWithCases();
    const { title: _title, ...properties } = schema().properties;
    writeContract(dir, cases([schema(), { ...schema(), properties }]));
    const run = await check(dir);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stdout, /consumer-reads-removed-field .*consumer reporting still declares it reads it/);
  });

  test('an optional field added is safe', async () => {
    const dir = repoWithCases();
    writeContract(dir, cases([schema(), schema({ note: str })]));
    const run = await check(dir);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /cases \[full-transitive, lenient\] changed; group 1: v1, v2/);
    assert.match(run.stdout, /✓ contracts check passed/);
  });

  test('versions sharing an $id, a $ref refactor and a draft-07 version pass (issue 15)', async () => {
    const dir = emptyRepo();
    const v1 = { $id: 'https://example.com/case', ...schema() };
    writeContract(dir, cases([v1]));
    commitAll(dir);
    const refactored = {
      $id: 'https://example.com/case',
      ...schema({ title: { $ref: '#/$defs/text' } }),
      $defs: { text: str },
    };
    const draft07 = {
      $schema: 'http://json-schema.org/draft-07/schema#',
      $id: 'https://example.com/case',
      ...schema({ title: { $ref: '#/definitions/text' } }),
      definitions: { text: str },
    };
    writeContract(dir, cases([v1, refactored, draft07]));
    const run = await check(dir);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /✓ contracts check passed/);
  });

  test('--json prints the whole report', async () => {
    const dir = repoWithCases();
    writeContract(dir, cases([schema(), schema({ status: { type: 'integer' } })]));
    const run = await check(dir, '--json');
    assert.equal(run.code, 1, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.equal(report.ok, false);
    assert.equal(report.asOf, '2026-05-01');
    assert.equal(report.baseline.source, 'git');
    assert.match(report.baseline.commit, /^[0-9a-f]{40}$/);
    const [collection] = report.collections;
    assert.deepEqual(
      [collection.collection, collection.mode, collection.semantics, collection.change],
      ['cases', 'full-transitive', 'lenient', 'changed'],
    );
    const rules = collection.findings.map(
      (f: { rule: string; direction: string }) => `${f.rule}/${f.direction}`,
    );
    assert.deepEqual(rules, ['type-changed/backward', 'type-changed/forward']);
    assert.deepEqual(Object.keys(collection.findings[0]).sort(), [
      'affected',
      'collection',
      'direction',
      'example',
      'field',
      'fromVersion',
      'message',
      'mode',
      'owner',
      'path',
      'rule',
      'status',
      'toVersion',
    ]);
    assert.deepEqual(collection.findings[0].affected, ['reporting']);
    // The example is a document the writer's version accepts and the reader's rejects.
    assert.equal(typeof collection.findings[0].example, 'object');
  });

  test('a waiver in the contract lets the change pass, reported as waived', async () => {
    const dir = repoWithCases();
    const waivers = [
      { rule: 'type-changed', path: 'status', reason: 'no reader left', expires: '2026-05-01' },
    ];
    writeContract(dir, cases([schema(), schema({ status: { type: 'integer' } })], { waivers }));
    const run = await check(dir);
    assert.equal(run.code, 0, run.stdout);
    assert.match(
      run.stdout,
      /○ waived: cases \/properties\/status .*Waived until 2026-05-01: no reader left/,
    );
    const later = await runSteward(['contracts', 'check', '--baseline', 'HEAD', '--as-of', '2026-05-02'], {
      cwd: dir,
    });
    assert.equal(later.code, 1);
    assert.match(later.stdout, /the waiver for it expired on 2026-05-01/);
  });

  test('a baseline folder needs no git', async () => {
    const dir = tempDir();
    writeContract(dir, cases([schema()]), 'released');
    writeContract(dir, cases([schema(), schema({ status: { type: 'integer' } })]));
    const run = await runSteward(['contracts', 'check', '--baseline', 'released', '--as-of', '2026-05-01'], {
      cwd: dir,
      env: { GIT_CEILING_DIRECTORIES: tmpdir() },
    });
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stdout, /contracts in .* against released/);
    assert.match(run.stdout, /type-changed/);
  });

  test('a ref at which the contracts folder did not exist yet: every contract is new', async () => {
    const dir = emptyRepo();
    commitAll(dir, 'empty');
    writeContract(dir, cases([schema(), schema({ status: { type: 'integer' } })]));
    const run = await check(dir);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stderr, /HEAD:contracts does not exist: every contract counts as new/);
    assert.match(run.stdout, /cases \[full-transitive, lenient\] new/);
  });

  test('--dir and a git baseline: the folder is read at the ref by its path in the repository', async () => {
    const dir = emptyRepo();
    writeContract(dir, cases([schema()]), 'services/api/contracts');
    commitAll(dir);
    writeContract(dir, cases([schema(), schema({ status: { type: 'integer' } })]), 'services/api/contracts');
    const run = await runSteward(
      ['contracts', 'check', '--baseline', 'HEAD', '--dir', 'api/contracts', '--as-of', '2026-05-01'],
      { cwd: join(dir, 'services') },
    );
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stdout, /against HEAD:services\/api\/contracts/);
  });
});

describe('contracts check: bad input', () => {
  test('a baseline ref that does not exist', async () => {
    const dir = repoWithCases();
    const run = await runSteward(['contracts', 'check', '--baseline', 'origin/nope'], { cwd: dir });
    assertUserError(run, 'baseline ref origin/nope does not exist');
  });

  test('neither a folder nor a git repository', async () => {
    const dir = tempDir();
    writeContract(dir, cases([schema()]));
    const run = await runSteward(['contracts', 'check', '--baseline', 'main'], {
      cwd: dir,
      env: { GIT_CEILING_DIRECTORIES: tmpdir() },
    });
    assertUserError(run, /baseline "main" is not a folder, and .* is not in a git repository/);
  });

  test('no baseline given says how to give one', async () => {
    const dir = repoWithCases();
    const run = await runSteward(['contracts', 'check'], { cwd: dir, env: { STEWARD_BASELINE: '' } });
    assertUserError(run, 'needs a baseline to compare with: --baseline HEAD');
    const fromEnv = await runSteward(['contracts', 'check'], { cwd: dir, env: { STEWARD_BASELINE: 'HEAD' } });
    assert.equal(fromEnv.code, 0, fromEnv.stderr);
  });

  test('an --as-of that is not a date', async () => {
    const dir = repoWithCases();
    assertUserError(await check(dir, '--as-of', '2026-02-30'), '--as-of must be a date written YYYY-MM-DD');
  });

  test('an invalid JSON Schema in the current contracts names the file', async () => {
    const dir = repoWithCases();
    writeContract(dir, cases([schema(), schema({ status: { type: 'text' } })]));
    assertUserError(
      await check(dir),
      /cases\.contract\.json: versions\[1\]\.schema: not a valid JSON Schema/,
    );
  });

  test('an unknown $ref', async () => {
    const dir = repoWithCases();
    writeContract(dir, cases([schema(), schema({ owner: { $ref: 'https://example.com/nowhere' } })]));
    assertUserError(await check(dir), /cases\.contract\.json: versions\[1\]\.schema: .*nowhere/);
  });

  test('a consumer naming a field no version declares', async () => {
    const dir = repoWithCases();
    writeContract(dir, cases([schema()], { consumers: { reporting: { reads: ['closedReason'] } } }));
    assertUserError(await check(dir), '"closedReason" is not a field of any version of cases');
  });
});

describe('contracts deprecations', () => {
  const deprecated = (removeAfter: string) =>
    cases([schema()], {
      fields: { title: { deprecated: { removeAfter, reason: 'use name', replacement: 'name' } } },
    });

  test('lists each deprecated field with its days left and readers', async () => {
    const dir = tempDir();
    writeContract(dir, deprecated('2026-05-11'));
    const run = await runSteward(['contracts', 'deprecations', '--as-of', '2026-05-01'], { cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stdout,
      /cases\.title: removable from 2026-05-11 \(in 10 day\(s\)\) — use name; read name instead/,
    );
    assert.match(run.stdout, /still read by reporting/);
    const json = await runSteward(['contracts', 'deprecations', '--as-of', '2026-05-01', '--json'], {
      cwd: dir,
    });
    const [entry] = JSON.parse(json.stdout).deprecations;
    assert.deepEqual(
      [entry.field, entry.daysLeft, entry.status, entry.readers, entry.removed],
      ['title', 10, 'not-yet', ['reporting'], false],
    );
  });

  test('--fail-on-due fails when a due field is still read', async () => {
    const dir = tempDir();
    writeContract(dir, deprecated('2026-04-01'));
    const args = ['contracts', 'deprecations', '--as-of', '2026-05-01'];
    assert.equal((await runSteward(args, { cwd: dir })).code, 0);
    const run = await runSteward([...args, '--fail-on-due'], { cwd: dir });
    assert.equal(run.code, 1);
    assert.match(run.stdout, /due since 2026-04-01 \(30 day\(s\) ago\)/);
  });
});
