/**
 * `steward refs repair`, `refs rehydrate` and `approvals keygen|sign|list` as a user runs them
 * (the built CLI) on a SQLite project: `refs scan` records the orphans, a dry run writes nothing,
 * nullify is applied, delete-dependent waits for a signature of its exact plan, events reach a
 * JSON-lines file and a loopback webhook, and a dead webhook only warns.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { hashJson } from '../../src/core/hash.js';
import { canonicalJson } from '../../src/core/json.js';
import { openStore } from '../../src/stores/open-store.js';
import { readAll } from '../support/read-all.js';
import { projectWithConfig, runSteward } from '../support/run-steward.js';

const config = `{
  stores: { main: { kind: 'sqlite', file: 'app.sqlite' } },
  collections: { accounts: {}, profiles: {}, cases: {} },
  references: {
    'profiles.accountId': { target: 'accounts', onMissing: 'nullify' },
    'cases.ownerId': { target: 'accounts', onMissing: 'delete-dependent', owner: 'case-service' },
  },
  approvers: {
    alice: { publicKey: 'alice.pub.pem', roles: ['owner'] },
    bob: { publicKey: 'bob.pub.pem', roles: ['dba'] },
  },
  approvalPolicies: { 'refs.delete-dependent': { required: 1, roles: ['owner'] } },
  signals: { jsonl: 'events.jsonl', webhook: { url: env('HOOK_URL'), retries: 1, timeoutMs: 2000 } },
}`;

interface RepairJson {
  dryRun: boolean;
  counts: Record<string, number>;
  references: {
    reference: string;
    counts: Record<string, number>;
    plan?: { hash: string; approval: { ok: boolean } };
  }[];
  warnings: { sink: string; message: string }[];
}

describe('steward refs repair and approvals on a SQLite project', () => {
  let dir: string;
  const posted: { type: string }[] = [];
  const hook = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      posted.push(...(JSON.parse(body) as { events: { type: string }[] }).events);
      res.writeHead(204).end();
    });
  });
  let hookUrl = '';
  const steward = (...args: string[]) =>
    runSteward(args, { cwd: dir, env: { HOOK_URL: hookUrl, STEWARD_ACTOR: 'ci' } });

  /** The content of the user's collections, hashed. */
  async function userData(): Promise<string> {
    const store = await openStore({ kind: 'sqlite', file: join(dir, 'app.sqlite') });
    try {
      const all = [];
      for (const name of ['accounts', 'profiles', 'cases'])
        all.push((await readAll(store.collection({ name, keyField: 'id' }))).map(canonicalJson).sort());
      return hashJson(all);
    } finally {
      await store.close();
    }
  }

  before(async () => {
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/events`;
    dir = projectWithConfig(config);
    const store = await openStore({ kind: 'sqlite', file: join(dir, 'app.sqlite') });
    try {
      const seed = async (name: string, docs: object[]) => {
        const spec = { name, keyField: 'id' };
        await store.ensureCollection(spec);
        await store
          .collection(spec)
          .write(docs.map((doc) => ({ type: 'insert' as const, doc: doc as never })));
      };
      await seed('accounts', [{ id: 'a1' }, { id: 'a2' }]);
      await seed('profiles', [
        { id: 'p1', accountId: 'a1' },
        { id: 'p2', accountId: 'gone-1' },
      ]);
      await seed('cases', [
        { id: 'c1', ownerId: 'a2', title: 'kept' },
        { id: 'c2', ownerId: 'gone-2', title: 'orphaned' },
      ]);
    } finally {
      await store.close();
    }
  });
  after(() => new Promise<void>((resolve) => hook.close(() => resolve())));

  test('approvals keygen writes a private key only its owner reads, and never overwrites', async () => {
    for (const who of ['alice', 'bob']) {
      const run = await steward('approvals', 'keygen', '--out', who);
      assert.equal(run.code, 0, run.stderr);
    }
    assert.equal(statSync(join(dir, 'alice.key.pem')).mode & 0o777, 0o600);
    assert.match(readFileSync(join(dir, 'alice.pub.pem'), 'utf8'), /^-----BEGIN PUBLIC KEY-----/);
    const again = await steward('approvals', 'keygen', '--out', 'alice');
    assert.equal(again.code, 2);
    assert.match(again.stderr, /alice\.pub\.pem exists already/);
  });

  let plan = '';
  /** The types of the events the JSON-lines sink received so far. */
  const eventTypes = (): string[] =>
    existsSync(join(dir, 'events.jsonl'))
      ? readFileSync(join(dir, 'events.jsonl'), 'utf8')
          .trimEnd()
          .split('\n')
          .map((l) => JSON.parse(l).type)
      : [];
  let scanEvents: string[] = [];
  /** The user's data before any repair, and the run ids the repairs printed. */
  let original = '';
  const runs: string[] = [];
  const runIds = (stdout: string) =>
    [...stdout.matchAll(/undo it with {2}steward refs repair --undo (rr-\S+)/g)].map((m) => m[1]!);

  test('after a scan, a dry run reports the plan and writes nothing', async () => {
    const scan = await steward('refs', 'scan');
    assert.equal(scan.code, 1, scan.stderr);
    scanEvents = eventTypes();
    assert.ok(scanEvents.length > 0 && scanEvents.every((t) => t === 'orphan-found'), `${scanEvents}`);
    const before = await userData();
    original = before;
    const run = await steward('refs', 'repair', '--dry-run', '--json');
    assert.equal(run.code, 1, 'the deletion would be refused');
    const report = JSON.parse(run.stdout) as RepairJson;
    assert.equal(report.dryRun, true);
    assert.equal(report.counts.planned, 1);
    assert.equal(report.counts.refused, 1);
    plan = report.references.find((r) => r.reference === 'cases.ownerId')?.plan?.hash ?? '';
    assert.match(plan, /^[0-9a-f]{64}$/);
    assert.equal(await userData(), before);
    assert.deepEqual(eventTypes(), scanEvents, 'a dry run sends no events');
  });

  test('repair nullifies, refuses the unapproved deletion and tells how to approve it; events go out', async () => {
    const run = await steward('refs', 'repair');
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stdout, /done +nullify +profiles "p2": accountId "gone-1" -> null/);
    assert.match(run.stdout, /refused +delete +cases "c2"/);
    assert.match(run.stdout, /NOT APPROVED, nothing deleted/);
    runs.push(...runIds(run.stdout));
    assert.equal(runs.length, 1, 'the nullify run printed its id');
    assert.match(run.stdout, new RegExp(`steward approvals sign ${plan} --kind refs.delete-dependent`));
    const events = eventTypes();
    assert.deepEqual(events, [...scanEvents, 'nullified', 'repaired', 'repair-refused', 'repaired']);
    assert.deepEqual(
      posted.map((e) => e.type),
      events,
    );
  });

  test('approvals sign checks the approver, role and key against the config before storing', async () => {
    const sign = (key: string, approver: string, role: string) =>
      steward(
        'approvals',
        'sign',
        plan,
        '--kind',
        'refs.delete-dependent',
        '--key',
        key,
        '--approver',
        approver,
        '--role',
        role,
      );
    const notHeld = await sign('bob.key.pem', 'bob', 'owner');
    assert.equal(notHeld.code, 2);
    assert.match(notHeld.stderr, /bob does not hold role "owner"/);
    const notCounted = await sign('bob.key.pem', 'bob', 'dba');
    assert.equal(notCounted.code, 2);
    assert.match(notCounted.stderr, /role "dba" does not count for refs.delete-dependent/);
    const wrongKey = await sign('bob.key.pem', 'alice', 'owner');
    assert.equal(wrongKey.code, 2);
    assert.match(wrongKey.stderr, /is not alice's key/);
    const signed = await sign('alice.key.pem', 'alice', 'owner');
    assert.equal(signed.code, 0, signed.stderr);
    assert.match(signed.stdout, /approval recorded: apr-/);
    const list = await steward('approvals', 'list', '--subject', plan, '--json');
    const listed = JSON.parse(list.stdout) as { approver: string; status: string }[];
    assert.deepEqual(
      listed.map((a) => [a.approver, a.status]),
      [['alice', 'valid']],
    );
  });

  test('with the approval the deletion is done; a second run changes nothing; the audit log verifies', async () => {
    const run = await steward('refs', 'repair');
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /approved by alice/);
    assert.match(run.stdout, /done +delete +cases "c2": delete the document/);
    runs.push(...runIds(run.stdout));
    assert.equal(runs.length, 2, 'the delete run printed its id');
    const before = await userData();
    const again = await steward('refs', 'repair', '--json');
    assert.equal(again.code, 0, again.stderr);
    const report = JSON.parse(again.stdout) as RepairJson;
    assert.equal(
      Object.values(report.counts).reduce((a, b) => a + b, 0),
      0,
    );
    assert.equal(await userData(), before);
    const audit = await steward('audit', 'verify');
    assert.equal(audit.code, 0, audit.stdout);
    const rehydrate = await steward('refs', 'rehydrate');
    assert.equal(rehydrate.code, 0, rehydrate.stderr);
    assert.match(rehydrate.stdout, /no pending rehydration requests/);
  });

  test('a dead webhook is a warning on stderr, never a failed repair', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const dead = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/events`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const run = await runSteward(['refs', 'repair'], { cwd: dir, env: { HOOK_URL: dead } });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /warning: webhook did not take 2 event\(s\): POST .* failed: ECONNREFUSED/);
  });

  test('refs repair --undo puts each run back; a second undo changes nothing; an unknown run exits 2', async () => {
    const dry = await steward('refs', 'repair', '--undo', runs[1]!, '--dry-run');
    assert.equal(dry.code, 0, dry.stdout + dry.stderr);
    assert.match(dry.stdout, /planned +delete +cases "c2"/);
    for (const run of [...runs].reverse()) {
      const undone = await steward('refs', 'repair', '--undo', run);
      assert.equal(undone.code, 0, undone.stdout + undone.stderr);
      assert.match(undone.stdout, new RegExp(`undo of repair run ${run}`));
      assert.match(undone.stdout, /undo: 1 restored; 1 incidents open again/);
    }
    assert.equal(await userData(), original, 'the data is exactly as before the repairs');
    const again = await steward('refs', 'repair', '--undo', runs[0]!, '--json');
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(
      (JSON.parse(again.stdout) as { counts: Record<string, number> }).counts['undone-before'],
      1,
    );
    assert.equal(await userData(), original);
    const audit = await steward('audit', 'verify');
    assert.equal(audit.code, 0, audit.stdout);

    const unknown = await steward('refs', 'repair', '--undo', 'rr-nope');
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no before-image of repair run "rr-nope"/);
    const misplaced = await steward('refs', 'repair', '--force');
    assert.equal(misplaced.code, 2);
    assert.match(misplaced.stderr, /--force goes with --undo/);
  });
});

describe('steward refs repair circuit breaker on a SQLite project', () => {
  // A mistake: the references hold account keys, the target named is the archive.
  const dir = projectWithConfig(`{
    stores: { main: { kind: 'sqlite', file: 'app.sqlite' } },
    collections: { accounts: {}, archive: {}, profiles: {} },
    references: { 'profiles.accountId': { target: 'archive', onMissing: 'nullify', owner: 'profile-service' } },
    approvers: { alice: { publicKey: 'alice.pub.pem', roles: ['owner'], owns: ['profile-service'] } },
  }`);
  const steward = (...args: string[]) => runSteward(args, { cwd: dir, env: { STEWARD_ACTOR: 'ci' } });
  const profiles = async () => {
    const store = await openStore({ kind: 'sqlite', file: join(dir, 'app.sqlite') });
    try {
      return (await readAll(store.collection({ name: 'profiles', keyField: 'id' })))
        .map(canonicalJson)
        .sort();
    } finally {
      await store.close();
    }
  };

  before(async () => {
    const store = await openStore({ kind: 'sqlite', file: join(dir, 'app.sqlite') });
    try {
      for (const name of ['accounts', 'archive', 'profiles'])
        await store.ensureCollection({ name, keyField: 'id' });
      const keys = Array.from({ length: 12 }, (_, n) => n);
      await store
        .collection({ name: 'accounts', keyField: 'id' })
        .write(keys.map((n) => ({ type: 'insert', doc: { id: `a${n}` } })));
      await store
        .collection({ name: 'profiles', keyField: 'id' })
        .write(keys.map((n) => ({ type: 'insert', doc: { id: `p${n}`, accountId: `a${n}` } })));
    } finally {
      await store.close();
    }
  });

  test('every reference orphaned: exit 2 with the figures, nothing written, until approved and forced', async () => {
    assert.equal((await steward('approvals', 'keygen', '--out', 'alice')).code, 0);
    assert.equal((await steward('refs', 'scan')).code, 1);
    const before = await profiles();
    const refused = await steward('refs', 'repair');
    assert.equal(refused.code, 2, refused.stdout + refused.stderr);
    assert.match(
      refused.stdout,
      /refs repair refused by the circuit breaker: nothing was repaired or written/,
    );
    assert.match(
      refused.stdout,
      /12 open orphans of 12 documents scanned is 100\.0%, above the breaker's 5\.0%/,
    );
    const plan = /steward approvals sign (\S+) --kind refs\.breaker/.exec(refused.stdout)?.[1] ?? '';
    assert.match(plan, /^[0-9a-f]{64}$/);
    assert.equal((await steward('refs', 'repair', '--force-breaker')).code, 2, 'no approval yet');
    assert.deepEqual(await profiles(), before);

    const signed = await steward(
      'approvals',
      'sign',
      plan,
      '--kind',
      'refs.breaker',
      '--key',
      'alice.key.pem',
      '--approver',
      'alice',
      '--role',
      'owner',
    );
    assert.equal(signed.code, 0, signed.stderr);
    const forced = await steward('refs', 'repair', '--force-breaker');
    assert.equal(forced.code, 0, forced.stdout + forced.stderr);
    assert.match(forced.stdout, /circuit breaker tripped, overridden by --force-breaker/);
    assert.match(forced.stdout, /repair: 12 done/);
  });
});
