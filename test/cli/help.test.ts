/**
 * The command line's own words: --version, `steward help <command>`, did-you-mean for mistyped
 * commands and options, and an overview whose descriptions stand apart from the commands.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { closest, editDistance } from '../../src/cli/did-you-mean.js';
import { runSteward } from '../support/run-steward.js';

const cwd = tmpdir();
const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')) as {
  version: string;
};

describe('the command line in its own words', () => {
  test('--version and -V print the version', async () => {
    for (const flag of ['--version', '-V']) {
      const run = await runSteward([flag], { cwd });
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout.trim(), `steward ${pkg.version}`);
    }
  });

  test('steward help <command> is the command help', async () => {
    const viaHelp = await runSteward(['help', 'refs', 'scan'], { cwd });
    const viaFlag = await runSteward(['refs', 'scan', '--help'], { cwd });
    assert.equal(viaHelp.code, 0, viaHelp.stderr);
    assert.match(viaHelp.stdout, /^Usage: steward refs scan/);
    assert.equal(viaHelp.stdout, viaFlag.stdout);
    const group = await runSteward(['help', 'contracts'], { cwd });
    assert.equal(group.code, 0);
    assert.match(group.stdout, /contracts check/);
  });

  test('a mistyped command or option gets a did-you-mean, in steward words', async () => {
    const cases: [string[], string][] = [
      [['contracts', 'chek'], 'unknown command "contracts chek" (did you mean "steward contracts check"?)'],
      [['fnd', 'cases'], 'unknown command "fnd cases" (did you mean "steward find"?)'],
      [['find', 'cases', '--lmit', '3'], 'unknown option --lmit for "steward find"; did you mean --limit?'],
      [['find', 'cases', '--limit'], 'option --limit needs a value'],
      [['doctor', '--json=yes'], 'option --json takes no value'],
    ];
    for (const [args, message] of cases) {
      const run = await runSteward(args, { cwd });
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.ok(run.stderr.includes(message), `${args.join(' ')}: ${run.stderr}`);
      assert.doesNotMatch(
        run.stderr,
        /To specify a positional argument|ERR_PARSE_ARGS/,
        'not Node parser text',
      );
    }
  });

  test('the overview sets every description at least two spaces apart from its command', async () => {
    const run = await runSteward(['--help'], { cwd });
    const lines = run.stdout.split('\n').filter((l) => /^ {2}[a-z]/.test(l));
    assert.ok(lines.length > 30, run.stdout);
    const column = lines[0]?.search(/\S {2,}\S/);
    const starts = new Set(lines.map((l) => /^ {2}[a-z-]+(?: [a-z-]+)* {2,}/.exec(l)?.[0].length));
    assert.equal(starts.size, 1, `one description column, got ${[...starts].join(', ')} (${column})`);
    assert.ok(lines.some((l) => /^ {2}contracts deprecations {2,}\S/.test(l)));
  });

  test('closest: small edit distances and unique prefixes, nothing for far words', () => {
    assert.equal(editDistance('chek', 'check'), 1);
    assert.equal(editDistance('scna', 'scan'), 1);
    assert.equal(closest('--lmit', ['--limit', '--json']), '--limit');
    assert.equal(closest('depre', ['deprecations', 'check']), 'deprecations');
    assert.equal(closest('zzzzzz', ['check', 'list']), undefined);
  });
});
