/**
 * What `steward serve` keeps between requests (issue 16's load target), on each selected store:
 * the census (time to live, single flight, `computedAt`/`ageSeconds`, `fresh=true` for operators),
 * verified tokens (a revocation takes effect within `tokenCacheMs`), and one handle per store
 * for the server's life, closed with it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { openStore } from '../../src/stores/open-store.js';
import { tokensCreate, tokensRevoke } from '../../src/workspace/tokens.js';
import { selectedKinds } from '../support/test-stores.js';
import { call, projectServer, type ServerProject, serverProject } from './server-project.js';

interface CensusReply {
  scanned: number;
  census: Record<string, number>;
  computedAt: string;
  ageSeconds: number;
}

for (const kind of selectedKinds()) {
  describe(`steward serve keeps between requests, ledger on ${kind}`, () => {
    let project: ServerProject;
    before(async () => {
      project = await serverProject(kind, { docs: 100 });
    });
    after(async () => {
      await project?.cleanup();
    });

    /** A server for one test, closed after it. */
    async function withServer(
      options: Parameters<typeof projectServer>[1],
      work: (app: FastifyInstance) => Promise<void>,
    ): Promise<void> {
      const app = await projectServer(project, options);
      try {
        await work(app);
      } finally {
        await app.close();
      }
    }

    const census = async (app: FastifyInstance, caller: 'viewer' | 'operator' = 'viewer', query = '') => {
      const res = await call(app, project, caller, {
        method: 'GET',
        url: `/contracts/subjects/census${query}`,
      });
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as CensusReply;
    };

    /** Adds one subject document straight into the store, behind the server's back. */
    async function addSubject(id: string): Promise<void> {
      const store = await openStore(project.storeConfig);
      try {
        const subjects = store.collection(project.config.collections.get('subjects')!.spec);
        const [doc] = (await subjects.scan({ limit: 1 })).docs;
        // A copy of a stored subject under a new key; MongoDB's own `_id` stays with the original.
        const { _id, ...copy } = doc!;
        const results = await subjects.write([{ type: 'insert', doc: { ...copy, id } }]);
        assert.deepEqual(results, [{ status: 'ok' }]);
      } finally {
        await store.close();
      }
    }

    test('census: answered from the cache within its time to live, with computedAt and ageSeconds; fresh=true for operators', async () => {
      await withServer({ censusTtlMs: 60_000 }, async (app) => {
        const before = Date.now();
        const first = await census(app);
        assert.ok(Date.parse(first.computedAt) >= before - 1000, first.computedAt);
        assert.equal(first.ageSeconds, 0);
        await addSubject('census-added-1');
        const cached = await census(app);
        assert.equal(cached.computedAt, first.computedAt, 'within the time to live: the same census');
        assert.equal(cached.scanned, first.scanned);
        const denied = await call(app, project, 'viewer', {
          method: 'GET',
          url: '/contracts/subjects/census?fresh=true',
        });
        assert.equal(denied.statusCode, 403, denied.body);
        assert.equal(denied.json().error.field, 'query.fresh');
        const fresh = await census(app, 'operator', '?fresh=true');
        assert.equal(fresh.scanned, first.scanned + 1, 'fresh=true reads the collection again');
        assert.ok(fresh.computedAt > first.computedAt);
        assert.equal((await census(app)).computedAt, fresh.computedAt, 'and is kept for the next caller');
      });
    });

    test('census: concurrent requests share one computation; a stale one is recomputed', async () => {
      await withServer({ censusTtlMs: 300 }, async (app) => {
        const replies = await Promise.all([1, 2, 3, 4, 5].map(() => census(app)));
        assert.equal(new Set(replies.map((r) => r.computedAt)).size, 1, 'one computation for five requests');
        await addSubject('census-added-2');
        await sleep(700); // past twice the time to live: the next request waits for a new census
        const later = await census(app);
        assert.ok(later.computedAt > replies[0]!.computedAt);
        assert.equal(later.scanned, replies[0]!.scanned + 1);
      });
    });

    test('a revoked token stops working within tokenCacheMs', async () => {
      const { token } = await tokensCreate(
        project.config,
        { name: 'cache-viewer', role: 'viewer', expiresInMs: 3_600_000 },
        { actor: 'test' },
      );
      const headers = { authorization: `Bearer ${token}` };
      const contracts = (app: FastifyInstance) => app.inject({ method: 'GET', url: '/contracts', headers });
      await withServer({ tokenCacheMs: 2_000 }, async (app) => {
        const verifiedAt = Date.now();
        assert.equal((await contracts(app)).statusCode, 200);
        await tokensRevoke(project.config, { name: 'cache-viewer' }, { actor: 'test' });
        const soon = await contracts(app);
        if (Date.now() - verifiedAt < 1_500)
          assert.equal(soon.statusCode, 200, 'inside the bound the verified token is trusted');
        await sleep(Math.max(0, verifiedAt + 2_100 - Date.now()));
        assert.equal((await contracts(app)).statusCode, 401, 'past the bound the revocation holds');
      });
      await withServer({ tokenCacheMs: 0 }, async (app) => {
        assert.equal((await contracts(app)).statusCode, 401, 'tokenCacheMs 0: read every time');
      });
    });

    test('a reference scan started through the server reads pages of 250 unless the body says', async () => {
      await withServer({}, async (app) => {
        for (const [body, batch] of [
          [{}, 250],
          [{ batch: 1000 }, 1000],
        ] as const) {
          const res = await call(app, project, 'operator', { method: 'POST', url: '/refs/scan', body });
          assert.equal(res.statusCode, 202, res.body);
          const { job } = res.json() as { job: { id: string; input: { batch?: number } } };
          assert.equal(job.input.batch, batch);
          await finished(app, job.id);
        }
      });
    });

    /** Waits until a job is no longer queued or running. */
    async function finished(app: FastifyInstance, id: string): Promise<void> {
      for (let i = 0; i < 600; i++) {
        const res = await call(app, project, 'viewer', { method: 'GET', url: `/jobs/${id}` });
        const { job } = res.json() as { job: { status: string } };
        if (job.status !== 'queued' && job.status !== 'running') return;
        await sleep(100);
      }
      assert.fail(`job ${id} did not finish in 60 s`);
    }

    test('one handle per store for the server, closed on shutdown', async () => {
      const app = await projectServer(project);
      const held = app.stewardStores;
      try {
        for (const url of ['/contracts/subjects/census', '/incidents', '/migrations/status', '/flags'])
          assert.equal((await call(app, project, 'viewer', { method: 'GET', url })).statusCode, 200, url);
        assert.equal(held.pool.size, 1, 'every route used the one store the project has');
        const store = await held.pool.get('main');
        assert.equal(await held.pool.get('main'), store, 'the same handle each time');
      } finally {
        await app.close();
      }
      assert.equal(held.pool.size, 0, 'closed with the server');
      await assert.rejects(held.pool.get('main'), /shutting down/);
    });
  });
}
