/** The circuit breaker's settings in the config: `integrity.breaker` for all, `references.<r>.breaker` each. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { resolveConfig } from '../../src/config/resolve-config.js';
import { isStewardError } from '../../src/errors/steward-error.js';

const base = {
  stores: { main: { kind: 'sqlite', file: 'a.sqlite' } },
  collections: { profiles: {}, accounts: {} },
};
const resolve = (more: object) =>
  resolveConfig({ ...base, ...more }, { file: '/p/steward.config.ts', baseDir: '/p' });

describe('breaker settings', () => {
  test('each field falls back from the reference to integrity.breaker to the defaults', () => {
    const config = resolve({
      integrity: { breaker: { maxOrphanRate: 0.2, minOrphans: 50 } },
      references: {
        'profiles.accountId': { target: 'accounts', breaker: { minOrphans: 3 } },
        'profiles.ownerId': { target: 'accounts' },
      },
    });
    assert.deepEqual(config.references.get('profiles.accountId')?.breaker, {
      maxOrphanRate: 0.2,
      maxJump: 3,
      minJumpRise: 0.01,
      minOrphans: 3,
    });
    assert.equal(config.references.get('profiles.ownerId')?.breaker?.minOrphans, 50);
    const plain = resolve({ references: { 'profiles.accountId': { target: 'accounts' } } });
    assert.equal(
      plain.references.get('profiles.accountId')?.breaker,
      undefined,
      'the defaults apply at repair',
    );
  });

  test('bad values are reported with their path, all at once', () => {
    try {
      resolve({
        integrity: { breaker: { maxOrphanRate: 5 }, other: true },
        references: { 'profiles.accountId': { target: 'accounts', breaker: { minOrphans: -1, jump: 2 } } },
      });
      assert.fail('resolved');
    } catch (error) {
      assert.ok(isStewardError(error, 'config.invalid'));
      const problems = (error.details.problems as { path: string; message: string }[]).map(
        (p) => `${p.path}: ${p.message}`,
      );
      assert.deepEqual(problems, [
        'integrity.other: is not a known setting (expected breaker)',
        'integrity.breaker.maxOrphanRate: must be a fraction above 0 and at most 1, such as 0.05',
        'references.profiles.accountId.breaker.minOrphans: must be a whole number of at least 0, such as 10',
        'references.profiles.accountId.breaker.jump: is not a breaker setting (expected maxOrphanRate, maxJump, minJumpRise, minOrphans)',
      ]);
    }
  });
});
