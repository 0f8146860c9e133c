/**
 * Approvals without a store: signing, and every reason verifyApprovals refuses (a forged
 * signature, a field changed after signing, expiry, unknown approvers, roles, subject and kind,
 * duplicates, quorum and the owner rule), plus the config's approvers and approvalPolicies.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { type Approval, approvalId } from '../../src/approvals/approval.js';
import { generateApproverKeys, parsePrivateKey, signApproval } from '../../src/approvals/approval-keys.js';
import type { ApprovalPolicy, Approver } from '../../src/approvals/approval-policy.js';
import { verifyApprovals } from '../../src/approvals/verify-approvals.js';
import { resolveConfig } from '../../src/config/resolve-config.js';
import { isStewardError } from '../../src/errors/steward-error.js';

const now = Date.parse('2026-07-01T12:00:00.000Z');
const hour = 3_600_000;
const subject = 'a'.repeat(64);
const kind = 'refs.delete-dependent';

const keys = { alice: generateApproverKeys(), bob: generateApproverKeys(), mallory: generateApproverKeys() };
const approvers = new Map<string, Approver>([
  [
    'alice',
    {
      name: 'alice',
      publicKeyPem: keys.alice.publicKeyPem,
      roles: ['owner', 'dba'],
      owns: ['profile-service'],
    },
  ],
  ['bob', { name: 'bob', publicKeyPem: keys.bob.publicKeyPem, roles: ['dba', 'owner'], owns: [] }],
]);

function sign(
  who: keyof typeof keys,
  fields: Partial<Omit<Approval, 'signature'>> = {},
  signer: keyof typeof keys = who,
): Approval {
  const key = parsePrivateKey(keys[signer].privateKeyPem, signer);
  return signApproval(
    {
      subject,
      subjectKind: kind,
      approver: who,
      role: 'owner',
      signedAt: new Date(now - hour).toISOString(),
      expiresAt: new Date(now + hour).toISOString(),
      ...fields,
    },
    key,
  );
}

const verify = (approvals: unknown[], policy: ApprovalPolicy = { required: 1 }, owner?: string) =>
  verifyApprovals({
    subject,
    subjectKind: kind,
    approvals,
    policy,
    approvers,
    now,
    ...(owner ? { owner } : {}),
  });
const codes = (approvals: unknown[], policy?: ApprovalPolicy, owner?: string) =>
  verify(approvals, policy, owner).problems.map((p) => p.code);

describe('verifyApprovals', () => {
  test('a valid approval by a configured approver passes', () => {
    const result = verify([sign('alice')]);
    assert.equal(result.ok, true);
    assert.deepEqual(result.problems, []);
    assert.deepEqual(result.approvedBy, ['alice']);
  });

  test('no approvals: refused for want of quorum', () => {
    assert.equal(verify([]).ok, false);
    assert.deepEqual(codes([]), ['quorum']);
  });

  test("a forged signature (mallory signs in alice's name) is refused", () => {
    const forged = sign('alice', {}, 'mallory');
    assert.equal(verify([forged]).ok, false);
    assert.deepEqual(codes([forged]), ['bad-signature', 'quorum']);
  });

  test('a field changed after signing breaks the signature', () => {
    const signed = sign('alice', { role: 'dba', expiresAt: new Date(now - 1).toISOString() });
    for (const edited of [
      { ...signed, role: 'owner' },
      { ...signed, expiresAt: new Date(now + 100 * hour).toISOString() },
      { ...signed, subject: 'b'.repeat(64) },
    ]) {
      const result = verifyApprovals({
        subject: edited.subject,
        approvals: [edited],
        policy: { required: 1 },
        approvers,
        now,
      });
      assert.deepEqual(
        result.problems.map((p) => p.code),
        ['bad-signature', 'quorum'],
        JSON.stringify(edited),
      );
    }
  });

  test('garbage signatures and missing fields are refused without throwing', () => {
    const signed = sign('alice');
    assert.deepEqual(codes([{ ...signed, signature: 'not base64 !!' }]), ['bad-signature', 'quorum']);
    assert.deepEqual(codes([{ ...signed, signature: '' }]), ['bad-signature', 'quorum']);
    const { role: _role, ...noRole } = signed;
    assert.deepEqual(codes([noRole, null, 'x', 42]), [
      'malformed',
      'malformed',
      'malformed',
      'malformed',
      'quorum',
    ]);
  });

  test('expired, and dated in the future beyond clock skew', () => {
    const expired = sign('alice', { expiresAt: new Date(now - 1).toISOString() });
    assert.deepEqual(codes([expired]), ['expired', 'quorum']);
    const future = sign('alice', {
      signedAt: new Date(now + hour).toISOString(),
      expiresAt: new Date(now + 2 * hour).toISOString(),
    });
    assert.deepEqual(codes([future]), ['not-yet-valid', 'quorum']);
    const skewed = sign('alice', { signedAt: new Date(now + 60_000).toISOString() });
    assert.equal(verify([skewed]).ok, true, 'a minute of skew is tolerated');
  });

  test('an approver the config does not know is refused, even with a valid signature', () => {
    assert.deepEqual(codes([sign('mallory')]), ['unknown-approver', 'quorum']);
  });

  test('a role the approver does not hold, and a role the policy does not count', () => {
    const limited = new Map(approvers);
    limited.set('bob', { ...approvers.get('bob')!, roles: ['dba'] });
    const asOwner = sign('bob', { role: 'owner' });
    const result = verifyApprovals({
      subject,
      approvals: [asOwner],
      policy: { required: 1 },
      approvers: limited,
      now,
    });
    assert.deepEqual(
      result.problems.map((p) => p.code),
      ['role-not-held', 'quorum'],
    );
    assert.deepEqual(codes([sign('bob', { role: 'dba' })], { required: 1, roles: ['owner'] }), [
      'role-not-allowed',
      'quorum',
    ]);
  });

  test('an approval of another subject or another kind does not count', () => {
    assert.deepEqual(codes([sign('alice', { subject: 'c'.repeat(64) })]), ['subject-mismatch', 'quorum']);
    assert.deepEqual(codes([sign('alice', { subjectKind: 'migrations' })]), ['kind-mismatch', 'quorum']);
  });

  test('the same approver twice counts once', () => {
    const twice = [sign('alice'), sign('alice', { role: 'dba' })];
    const result = verify(twice, { required: 2 });
    assert.equal(result.ok, false);
    assert.deepEqual(
      result.problems.map((p) => p.code),
      ['duplicate-approver', 'quorum'],
    );
    assert.deepEqual(result.approvedBy, ['alice']);
    assert.equal(verify([sign('alice'), sign('bob', { role: 'dba' })], { required: 2 }).ok, true);
  });

  test('includeOwner: one approval must be by an owner of the changed thing, in role owner', () => {
    const policy = { required: 2, includeOwner: true };
    const dbas = [sign('alice', { role: 'dba' }), sign('bob', { role: 'dba' })];
    assert.deepEqual(codes(dbas, policy), ['owner-missing']);
    assert.equal(verify([sign('alice'), sign('bob', { role: 'dba' })], policy, 'profile-service').ok, true);
    // bob signs as owner but does not own profile-service.
    assert.deepEqual(codes([sign('alice', { role: 'dba' }), sign('bob')], policy, 'profile-service'), [
      'owner-missing',
    ]);
    // Without a known owner, any approval in role owner satisfies it.
    assert.equal(verify([sign('alice', { role: 'dba' }), sign('bob')], policy).ok, true);
  });

  test('an extra bad approval next to enough good ones is reported but harmless', () => {
    const result = verify([sign('alice'), sign('alice', {}, 'mallory')]);
    assert.equal(result.ok, true);
    assert.deepEqual(
      result.problems.map((p) => p.code),
      ['bad-signature'],
    );
  });

  test('an approval another run used up does not count; for the run that used it, it still does', () => {
    const alice = sign('alice');
    const bob = sign('bob', { role: 'dba' });
    const uses = new Map([
      [
        approvalId(alice),
        { approval: approvalId(alice), subject, usedBy: 'run-1', usedAt: '2026-07-01T11:30:00.000Z' },
      ],
    ]);
    const check = (run?: string) =>
      verifyApprovals({
        subject,
        approvals: [alice, bob],
        policy: { required: 2 },
        approvers,
        now,
        uses,
        ...(run ? { run } : {}),
      });
    const other = check('run-2');
    assert.equal(other.ok, false);
    assert.deepEqual(
      other.problems.map((p) => [p.code, p.message]),
      [
        [
          'used',
          "alice's approval was used up by run run-1 at 2026-07-01T11:30:00.000Z; an approval authorises one run: sign again",
        ],
        ['quorum', '2 approval(s) by distinct approvers needed, 1 valid'],
      ],
    );
    assert.equal(check().ok, false, 'a caller that is no run cannot count it either');
    const same = check('run-1');
    assert.equal(same.ok, true);
    assert.deepEqual(same.counted, [approvalId(alice), approvalId(bob)]);
  });

  test('approval ids are stable and differ per signature', () => {
    const a = sign('alice');
    assert.equal(approvalId(a), approvalId({ ...a }));
    assert.notEqual(approvalId(a), approvalId(sign('bob')));
    assert.match(approvalId(a), /^apr-[0-9a-f]{40}$/);
  });
});

describe('approvers and approvalPolicies in the config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'steward-approvers-'));
  writeFileSync(join(dir, 'bob.pub.pem'), keys.bob.publicKeyPem);
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({
    type: 'spki',
    format: 'pem',
  });
  const base = { stores: { main: { kind: 'sqlite', file: 'x.sqlite' } } };
  const resolve = (extra: object) =>
    resolveConfig({ ...base, ...extra }, { file: join(dir, 'c.ts'), baseDir: dir, env: {} });
  const problemsOf = (extra: object): string[] => {
    try {
      resolve(extra);
      return [];
    } catch (e) {
      if (!isStewardError(e, 'config.invalid')) throw e;
      return (e.details.problems as { path: string; message: string }[]).map(
        (p) => `${p.path}: ${p.message}`,
      );
    }
  };

  test('reads public keys inline or from files relative to the config', () => {
    const config = resolve({
      approvers: {
        alice: { publicKey: keys.alice.publicKeyPem, roles: ['owner'], owns: ['profile-service'] },
        bob: { publicKey: 'bob.pub.pem', roles: ['dba'] },
      },
      approvalPolicies: {
        'refs.delete-dependent': { required: 1, roles: ['owner'] },
        migrations: { required: 2, includeOwner: true },
      },
    });
    assert.equal(config.approvers.get('alice')?.publicKeyPem, keys.alice.publicKeyPem);
    assert.equal(config.approvers.get('bob')?.publicKeyPem, keys.bob.publicKeyPem);
    assert.deepEqual(config.approvers.get('bob')?.owns, []);
    assert.deepEqual(config.approvalPolicies.get('refs.delete-dependent'), { required: 1, roles: ['owner'] });
    assert.deepEqual(config.approvalPolicies.get('migrations'), { required: 2, includeOwner: true });
  });

  test('two approvers with one key are refused, naming both, however the PEM is written', () => {
    const wrapped = keys.alice.publicKeyPem.replace(/\n(?!-)/g, '\r\n');
    for (const bobsKey of [keys.alice.publicKeyPem, wrapped]) {
      const problems = problemsOf({
        approvers: {
          alice: { publicKey: keys.alice.publicKeyPem, roles: ['owner'] },
          bob: { publicKey: bobsKey, roles: ['dba'] },
          carol: { publicKey: 'bob.pub.pem', roles: ['dba'] },
        },
      });
      assert.deepEqual(problems, [
        'approvers.bob.publicKey: is the same key as approvers.alice.publicKey: alice and bob would be one ' +
          'signer counted twice; give each approver their own key ("steward approvals keygen")',
      ]);
    }
  });

  test('reuseAfterRollback is read as a flag of a policy', () => {
    const config = resolve({ approvalPolicies: { migrations: { required: 2, reuseAfterRollback: true } } });
    assert.deepEqual(config.approvalPolicies.get('migrations'), { required: 2, reuseAfterRollback: true });
    assert.deepEqual(
      problemsOf({ approvalPolicies: { migrations: { required: 1, reuseAfterRollback: 'yes' } } }),
      ['approvalPolicies.migrations.reuseAfterRollback: must be true or false'],
    );
  });

  test('reports every approver and policy problem at once', () => {
    const problems = problemsOf({
      approvers: {
        carol: { publicKey: 'missing.pub.pem', roles: ['owner'] },
        dave: { publicKey: rsa, roles: [] },
        erin: { roles: ['owner'] },
      },
      approvalPolicies: { migrations: { required: 0, includeOwner: 'yes' } },
    });
    assert.equal(problems.length, 6, problems.join('\n'));
    assert.match(problems[0]!, /^approvers\.carol\.publicKey: cannot read .*missing\.pub\.pem: ENOENT/);
    assert.match(problems[1]!, /^approvers\.dave\.publicKey: is a rsa key; approvals use ed25519/);
    assert.match(problems[2]!, /^approvers\.dave\.roles: must be a non-empty list/);
    assert.match(problems[3]!, /^approvers\.erin\.publicKey: is required/);
    assert.match(problems[4]!, /^approvalPolicies\.migrations\.required: must be a whole number/);
    assert.match(problems[5]!, /^approvalPolicies\.migrations\.includeOwner: must be true or false/);
  });
});
