/**
 * The examples in README.md and docs/ run: every fenced steward command line without a
 * placeholder runs, in document order, against a project the demo built (its config, contracts,
 * migrations and keys, in a git repository so `--baseline HEAD` means something); commands that
 * need no project (`approvals keygen`, `init`) run in an empty folder. Each must end
 * with 0 or 1 (findings), or with the code its comment states (`# exit 2: ...`), and never with a
 * stack trace. An example that stops working fails here, naming its file and line.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { type DocExample, docExamples, shellWords } from '../support/doc-examples.js';
import { runSteward } from '../support/run-steward.js';

/** A placeholder the reader fills in (`<id>`, `[--rate N]`, `3f9c…`, `...`): not runnable as written. */
const placeholder = /[<[]|\.\.\.|…/;
const runnable = docExamples().filter((e) => e.fenced && !placeholder.test(e.text));
const byFile = new Map<string, DocExample[]>();
for (const e of runnable) byFile.set(e.file, [...(byFile.get(e.file) ?? []), e]);
const env = { JOB_COMPLETION_INDEX: '0' };

/** The demo's project, built once; each file's examples run in a copy of it. */
let built: string | undefined;
function demoBuild(): string {
  if (built) return built;
  const dir = mkdtempSync(join(tmpdir(), 'steward-docs-'));
  const project = join(dir, 'demo');
  execFileSync(
    process.execPath,
    [
      join(import.meta.dirname, '../../dist/cli/main.js'),
      'demo',
      '--docs',
      '300',
      '--file',
      join(project, 'demo.sqlite'),
    ],
    { cwd: dir, stdio: 'ignore' },
  );
  assert.ok(existsSync(join(project, 'steward.config.json')), 'the demo wrote its config');
  built = project;
  return project;
}

/** A copy of the demo's project, made a git repository with the branches and folders the examples name. */
function demoProject(): string {
  const project = join(mkdtempSync(join(tmpdir(), 'steward-docs-')), 'demo');
  const original = demoBuild();
  cpSync(original, project, { recursive: true });
  // The demo's config names its SQLite file by absolute path: point the copy at its own file.
  const config = join(project, 'steward.config.json');
  writeFileSync(config, readFileSync(config, 'utf8').replaceAll(original, project));
  mkdirSync(join(project, 'released'), { recursive: true });
  cpSync(join(project, 'contracts'), join(project, 'released', 'contracts'), { recursive: true });
  cpSync(join(project, 'contracts'), join(project, 'services', 'api', 'contracts'), { recursive: true });
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=docs', '-c', 'user.email=docs@example.com', ...args], {
      cwd: project,
      stdio: 'ignore',
    });
  git('init', '-q');
  git('add', '-A');
  git('commit', '-q', '-m', 'demo');
  git('branch', 'origin/main');
  return project;
}

/** The code an example says it ends with (`# exit 2: ...`), else 0 or 1. */
function expectedCodes(example: DocExample): number[] {
  const stated = /\bexit (\d+)/.exec(example.comment);
  return stated ? [Number(stated[1])] : [0, 1];
}

function argsOf(example: DocExample): string[] {
  return shellWords(example.text)
    .slice(1)
    .map((w) => w.replace(/\$([A-Z_]+)/g, (_, name: string) => env[name as keyof typeof env] ?? ''));
}

test('the docs hold runnable examples', () => {
  assert.ok(runnable.length >= 20, `found ${runnable.length}`);
});

for (const [file, examples] of byFile) {
  describe(`examples in ${file}`, () => {
    let project: string;
    before(() => {
      project = demoProject();
    });
    for (const example of examples) {
      test(`${file}:${example.line}: ${example.text}`, async () => {
        const args = argsOf(example);
        // Commands that need no project (keygen, init) run where a new user runs them: an empty folder.
        const fresh = ['approvals keygen', 'init'].some((c) => args.join(' ').startsWith(c));
        const cwd = fresh ? mkdtempSync(join(tmpdir(), 'steward-docs-fresh-')) : project;
        const run = await runSteward(args, { cwd, env, timeoutMs: 120_000 });
        const expected = expectedCodes(example);
        assert.ok(
          expected.includes(run.code),
          `exit ${run.code}, expected ${expected.join(' or ')}\n${run.stderr}`,
        );
        assert.doesNotMatch(run.stderr, /\n\s+at |internal error/i, 'no stack trace');
      });
    }
  });
}
