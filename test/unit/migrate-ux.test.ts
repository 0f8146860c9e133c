/**
 * The pure parts of issue 14's migration items: how a percentage over a sample is judged, the
 * approval policies of an environment, and the versions and text of a scaffolded migration.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ApprovalPolicy } from '../../src/approvals/approval-policy.js';
import { resolveEnvironment } from '../../src/config/resolve-environment.js';
import type { Contract } from '../../src/contracts/contract.js';
import {
  migrationId,
  migrationNameProblem,
  migrationTemplate,
  scaffoldVersions,
} from '../../src/migrations/scaffold/migration-template.js';
import { judgePercent, wilsonUpperBound } from '../../src/migrations/validators/percent-judgement.js';

test('a share over a sample is judged by its 95% Wilson upper bound; a whole collection exactly', () => {
  assert.equal(wilsonUpperBound(0, 0), 1);
  assert.ok(Math.abs(wilsonUpperBound(13, 14) - 0.9873) < 0.001, String(wilsonUpperBound(13, 14)));
  // The canary: 13 of 14 at minPercent 99 is no evidence against 99%.
  assert.equal(judgePercent({ conforming: 13, checked: 14, minPercent: 99 }).ok, false);
  assert.equal(judgePercent({ conforming: 13, checked: 14, minPercent: 95, sample: 'the canary' }).ok, true);
  assert.equal(judgePercent({ conforming: 39, checked: 40, minPercent: 99, sample: 'the canary' }).ok, true);
  // Three of forty failing is evidence: the bound is below 99%.
  const three = judgePercent({ conforming: 37, checked: 40, minPercent: 99, sample: 'the canary' });
  assert.equal(three.ok, false);
  assert.match(
    three.rule,
    /the canary is a sample of 40, so it fails only when the 95% upper bound .* is below that/,
  );
  // At 100% a sample is judged exactly: one failure fails.
  assert.equal(
    judgePercent({ conforming: 399, checked: 400, minPercent: 100, sample: 'the canary' }).ok,
    false,
  );
  assert.equal(judgePercent({ conforming: 0, checked: 0, minPercent: 100 }).ok, true);
});

const base = new Map<string, ApprovalPolicy>([['migrations', { required: 2, includeOwner: true }]]);
const environments = {
  development: { approvalPolicies: { migrations: { required: 0 } } },
  production: {},
};

test('an environment replaces the policies it names; none chosen keeps the top-level ones', () => {
  const problems: string[] = [];
  const problem = (path: string, message: string) => problems.push(`${path}: ${message}`);
  const dev = resolveEnvironment(environments, 'development', base, problem);
  assert.deepEqual(dev.environment, { name: 'development', overrides: ['migrations'] });
  assert.deepEqual(dev.approvalPolicies.get('migrations'), { required: 0 });
  const prod = resolveEnvironment(environments, 'production', base, problem);
  assert.deepEqual(prod.approvalPolicies.get('migrations'), { required: 2, includeOwner: true });
  const none = resolveEnvironment(environments, undefined, base, problem);
  assert.equal(none.environment, undefined);
  assert.deepEqual(none.approvalPolicies.get('migrations'), { required: 2, includeOwner: true });
  // A config without environments takes any name and keeps its policies.
  assert.deepEqual(resolveEnvironment(undefined, 'ci', base, problem).environment, {
    name: 'ci',
    overrides: [],
  });
  assert.deepEqual(problems, []);
});

test('an undeclared environment, a repair needing no approval and a bad shape are named', () => {
  const problems: string[] = [];
  const problem = (path: string, message: string) => problems.push(`${path}: ${message}`);
  resolveEnvironment(environments, 'staging', base, problem);
  resolveEnvironment(
    { dev: { approvalPolicies: { 'refs.delete-dependent': { required: 0 } } }, qa: 3, ci: { quorum: 1 } },
    undefined,
    base,
    problem,
  );
  assert.deepEqual(problems, [
    'environments: has no environment "staging" (chosen by --env or STEWARD_ENV); declared: development, production',
    'environments.dev.approvalPolicies.refs.delete-dependent.required: must be at least 1: only migrations may need no approval in an environment',
    'environments.qa: must be { approvalPolicies?: { <kind>: { required, ... } } }',
    'environments.ci.quorum: is not a known setting (expected approvalPolicies)',
  ]);
});

const contract = (versions: number[]) =>
  ({ versions: versions.map((version) => ({ version })) }) as unknown as Contract;

test('a scaffolded migration takes its versions from the contract and is named to sort', () => {
  assert.deepEqual(scaffoldVersions(contract([1, 2]), []), {
    fromVersion: 1,
    targetVersion: 2,
    targetDeclared: true,
  });
  assert.deepEqual(scaffoldVersions(contract([1, 2]), [2]), {
    fromVersion: 2,
    targetVersion: 3,
    targetDeclared: false,
  });
  assert.deepEqual(scaffoldVersions(contract([1]), []), {
    fromVersion: 1,
    targetVersion: 2,
    targetDeclared: false,
  });
  assert.equal(migrationId('add-tier', new Date('2026-12-05T07:12:03.456Z')), '2026-12-05-071203-add-tier');
  assert.equal(migrationNameProblem('add-tier'), undefined);
  assert.match(migrationNameProblem('Add Tier') ?? '', /is not a migration name/);
  const text = migrationTemplate({
    id: '2026-12-05-071203-add-tier',
    collection: 'accounts',
    fromVersion: 1,
    targetVersion: 2,
    targetDeclared: false,
    contractFile: 'accounts.contract.json',
  });
  assert.match(text, /import \{ defineMigration \} from 'steward';/);
  assert.match(text, /fromVersion: 1,\n {2}\/\/ TODO: declare version 2 in accounts\.contract\.json first/);
  assert.match(text, /before: \[\{ kind: 'conforms', name: 'accounts match v1', collection: "accounts" \}\]/);
});
