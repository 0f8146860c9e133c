/** `steward flags` on SQLite, run from the built CLI as a user would; option parsing apart from it. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { flagSetArgs } from '../../src/cli/commands/flags.js';
import { isStewardError } from '../../src/errors/steward-error.js';
import { projectWithConfig, runSteward } from '../support/run-steward.js';

describe('flags set options', () => {
  const parse = (positionals: string[], options: Record<string, string>) =>
    flagSetArgs({ positionals, options });

  test('name, value, reason and the allowed list', () => {
    assert.deepEqual(parse(['cases.read-shape', 'v1'], { reason: 'start', allowed: 'v1, dual,v2' }), {
      name: 'cases.read-shape',
      value: 'v1',
      reason: 'start',
      allowed: ['v1', 'dual', 'v2'],
    });
  });

  test('a missing value, an extra word or a missing reason is a usage error', () => {
    const usage = (error: unknown) => isStewardError(error, 'usage');
    assert.throws(() => parse(['cases.read-shape'], { reason: 'x' }), usage);
    assert.throws(() => parse(['cases.read-shape', 'v1', 'v2'], { reason: 'x' }), usage);
    assert.throws(() => parse(['cases.read-shape', 'v1'], {}), /--reason is required/);
    assert.throws(() => parse([], { reason: 'x' }), usage);
  });
});

test('steward flags: set, list, get, a refused value, and the audit log', async () => {
  const cwd = projectWithConfig(`{ stores: { main: { kind: 'sqlite', file: 'data/app.sqlite' } } }`);
  const env = { STEWARD_ACTOR: 'ops-alice' };
  const steward = (...args: string[]) => runSteward(args, { cwd, env });

  const empty = await steward('flags', 'list');
  assert.equal(empty.code, 0, empty.stderr);
  assert.match(empty.stdout, /no shape flags set yet/);

  const first = await steward(
    'flags',
    'set',
    'cases.read-shape',
    'v1',
    '--reason',
    'start',
    '--allowed',
    'v1,dual,v2',
  );
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /cases\.read-shape: \(unset\) -> v1 \(generation 1, audit seq \d+\)/);
  const second = await steward(
    'flags',
    'set',
    'cases.read-shape',
    'dual',
    '--reason',
    'canary for v2 readers',
  );
  assert.equal(second.code, 0, second.stderr);

  const list = await steward('flags', 'list');
  assert.match(list.stdout, /cases\.read-shape +dual +since \S+ by ops-alice/);
  const listed = JSON.parse((await steward('flags', 'list', '--json')).stdout) as {
    flags: { name: string; value: string; by: string; generation: number }[];
  };
  assert.deepEqual(
    listed.flags.map((f) => [f.name, f.value, f.by, f.generation]),
    [['cases.read-shape', 'dual', 'ops-alice', 2]],
  );

  const got = await steward('flags', 'get', 'cases.read-shape', '--history', '--json');
  assert.equal(got.code, 0, got.stderr);
  const detail = JSON.parse(got.stdout) as {
    flag: { value: string; reason: string; allowed: string[] };
    history: { generation: number; previous: string | null; value: string; state: string }[];
  };
  assert.equal(detail.flag.value, 'dual');
  assert.equal(detail.flag.reason, 'canary for v2 readers');
  assert.deepEqual(detail.flag.allowed, ['v1', 'dual', 'v2']);
  assert.deepEqual(
    detail.history.map((c) => [c.generation, c.previous, c.value, c.state]),
    [
      [1, null, 'v1', 'applied'],
      [2, 'v1', 'dual', 'applied'],
    ],
  );
  const text = await steward('flags', 'get', 'cases.read-shape');
  assert.match(
    text.stdout,
    /cases\.read-shape = dual \(allowed: v1, dual, v2\)\n {2}since \S+ by ops-alice: canary/,
  );

  const refused = await steward('flags', 'set', 'cases.read-shape', 'v3', '--reason', 'typo');
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, /cannot be "v3": its values are v1, dual, v2\. Nothing was changed/);
  assert.doesNotMatch(refused.stderr, /\n\s+at /, 'no stack trace');
  const noReason = await steward('flags', 'set', 'cases.read-shape', 'v2');
  assert.equal(noReason.code, 2);
  assert.match(noReason.stderr, /--reason is required/);
  const unknown = await steward('flags', 'get', 'cases.nothing');
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /flag "cases.nothing" has never been set/);

  const after = JSON.parse(
    (await steward('flags', 'get', 'cases.read-shape', '--json', '--history')).stdout,
  ) as {
    history: unknown[];
  };
  assert.equal(after.history.length, 2, 'the refused changes wrote nothing');
  const verify = await steward('audit', 'verify', '--json');
  assert.equal(verify.code, 0, verify.stderr);
  assert.equal((JSON.parse(verify.stdout) as { checked: number }).checked, 2, 'one audit record per change');
});
