/**
 * Signals: steward's prom-client metrics and their Prometheus text, integrity events counted and delivered
 * to a JSON-lines file and to a webhook on a loopback HTTP server, with retries, and a dead
 * webhook that becomes a warning instead of an error.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Registry } from 'prom-client';
import { resolveConfig } from '../../src/config/resolve-config.js';
import type { IntegrityEvent } from '../../src/signals/integrity-event.js';
import { JsonlSink } from '../../src/signals/jsonl-sink.js';
import { openSignals } from '../../src/signals/open-signals.js';
import { Signals } from '../../src/signals/signals.js';
import {
  defaultRegistry,
  registerStewardMetrics,
  stewardMetrics,
} from '../../src/signals/steward-metrics.js';
import { WebhookSink } from '../../src/signals/webhook-sink.js';
import { namingProblems, parseExposition, series, value } from '../support/prometheus-text.js';

const at = '2026-07-01T12:00:00.000Z';
const nullified: IntegrityEvent = {
  type: 'nullified',
  reference: 'profiles.accountId',
  collection: 'profiles',
  key: 'p1',
  at,
};

/** A loopback server answering each request with the next status of `statuses` (the last one repeats). */
async function hookServer(statuses: number[], delayMs = 0) {
  const requests: { headers: IncomingMessage['headers']; body: { events: { key?: string }[] } }[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      requests.push({ headers: req.headers, body: JSON.parse(body) });
      const status = statuses[Math.min(requests.length - 1, statuses.length - 1)]!;
      setTimeout(() => res.writeHead(status).end(), delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { url, requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const webhook = (url: string, more: Partial<ConstructorParameters<typeof WebhookSink>[0]> = {}) =>
  new WebhookSink({ url, headers: {}, timeoutMs: 2000, retries: 3, retryDelayMs: 5, ...more });

/** A set of steward's metrics in a registry of its own, so tests do not see each other's counts. */
const fresh = () => stewardMetrics({ registry: new Registry() });
const scrape = async (m: { registry: Registry }) => parseExposition(await m.registry.metrics());

describe('steward metrics', () => {
  test('every name follows the Prometheus conventions, and the process metrics come when asked', async () => {
    const registry = new Registry();
    stewardMetrics({ registry, processMetrics: true });
    const e = parseExposition(await registry.metrics());
    const steward = new Map([...e.types].filter(([name]) => name.startsWith('steward_')));
    assert.ok(steward.size >= 20, `steward's families: ${[...steward.keys()]}`);
    assert.deepEqual(namingProblems({ samples: e.samples, types: steward }), []);
    assert.ok(e.types.has('process_cpu_user_seconds_total'), 'default process metrics');
    assert.ok(e.types.has('nodejs_eventloop_lag_seconds'));
    assert.equal(e.types.get('steward_scan_duration_seconds'), 'histogram');
    assert.equal(e.types.get('steward_drift_check_duration_seconds'), 'histogram');
    assert.equal(e.types.get('steward_repair_duration_seconds'), 'histogram');
    assert.equal(e.types.get('steward_migration_documents_done'), 'gauge');
  });

  test('the checker catches names that break the conventions', () => {
    const types = new Map([
      ['orphans_total', 'counter'],
      ['steward_found', 'counter'],
      ['steward_open_total', 'gauge'],
      ['steward_scan_duration_ms', 'histogram'],
    ]);
    assert.equal(namingProblems({ samples: [], types }).length, 5);
  });

  test('a host registers the process-wide metrics in its own registry: the same series in both', async () => {
    const host = new Registry();
    const metrics = registerStewardMetrics(host);
    registerStewardMetrics(host);
    assert.equal(metrics, stewardMetrics(), 'one process-wide set');
    assert.equal(metrics.registry, defaultRegistry);
    metrics.orphansFound.inc({ reference: 'host.check', source: 'scan' }, 3);
    for (const registry of [host, defaultRegistry])
      assert.equal(
        value(parseExposition(await registry.metrics()), 'steward_orphans_found_total', {
          reference: 'host.check',
        }),
        3,
      );
  });
});

describe('signals', () => {
  const servers: { close(): Promise<void> }[] = [];
  after(async () => {
    for (const s of servers) await s.close();
  });

  test('events feed the metrics; guard reads are counted but never sent to sinks', async () => {
    const metrics = fresh();
    const delivered: IntegrityEvent[] = [];
    const signals = new Signals({
      metrics,
      sinks: [{ name: 'memory', deliver: async (e) => void delivered.push(...e) }],
    });
    signals.orphansFound('profiles.accountId', 5, at);
    signals.listener(nullified);
    signals.listener({ type: 'deleted', reference: 'cases.ownerId', collection: 'cases', key: 7, at });
    signals.listener({ type: 'guard-read', reference: 'profiles.accountId', status: 'missing', at });
    signals.listener({
      type: 'repaired',
      reference: 'profiles.accountId',
      counts: {},
      open: 2,
      durationMs: 1500,
      at,
    });
    signals.openIncidents('cases.ownerId', 9);
    assert.deepEqual(await signals.flush(), []);
    assert.deepEqual(
      delivered.map((e) => e.type),
      ['orphan-found', 'nullified', 'deleted', 'repaired'],
    );
    const e = await scrape(metrics);
    const p = { reference: 'profiles.accountId' };
    assert.equal(value(e, 'steward_orphans_found_total', { ...p, source: 'scan' }), 5);
    assert.equal(value(e, 'steward_repairs_total', { ...p, action: 'nullified' }), 1);
    assert.equal(value(e, 'steward_repairs_total', { reference: 'cases.ownerId', action: 'deleted' }), 1);
    assert.equal(value(e, 'steward_guarded_reads_total', { ...p, status: 'missing' }), 1);
    assert.equal(value(e, 'steward_open_incidents', p), 2);
    assert.equal(value(e, 'steward_open_incidents', { reference: 'cases.ownerId' }), 9);
    assert.equal(value(e, 'steward_repair_duration_seconds_sum', p), 1.5);
    assert.equal(value(e, 'steward_repair_duration_seconds_count', p), 1);
    assert.equal(value(e, 'steward_repair_duration_seconds_bucket', { ...p, le: '1' }), 0);
    assert.equal(value(e, 'steward_repair_duration_seconds_bucket', { ...p, le: '2.5' }), 1);
    assert.equal(series(e, 'steward_repair_duration_seconds_bucket', p).length, 14, '13 bounds and +Inf');
  });

  test('the JSON-lines sink appends one line per event', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'steward-signals-')), 'events.jsonl');
    const signals = new Signals({
      metrics: fresh(),
      sinks: [new JsonlSink(file)],
      batchSize: 2,
    });
    for (let i = 0; i < 5; i++) signals.listener({ ...nullified, key: `p${i}` });
    assert.deepEqual(await signals.flush(), []);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    assert.deepEqual(
      lines.map((l) => JSON.parse(l).key),
      ['p0', 'p1', 'p2', 'p3', 'p4'],
    );
  });

  test('the webhook gets each batch as JSON with its headers', async () => {
    const hook = await hookServer([204]);
    servers.push(hook);
    const signals = new Signals({
      metrics: fresh(),
      sinks: [webhook(hook.url, { headers: { authorization: 'Bearer t0ken' } })],
    });
    signals.listener(nullified);
    signals.listener({ ...nullified, key: 'p2' });
    assert.deepEqual(await signals.flush(), []);
    assert.equal(hook.requests.length, 1);
    assert.equal(hook.requests[0]?.headers.authorization, 'Bearer t0ken');
    assert.equal(hook.requests[0]?.headers['content-type'], 'application/json');
    assert.deepEqual(
      hook.requests[0]?.body.events.map((e) => e.key),
      ['p1', 'p2'],
    );
  });

  test('a webhook failing twice with 5xx is retried and delivered', async () => {
    const hook = await hookServer([500, 503, 200]);
    servers.push(hook);
    const signals = new Signals({ metrics: fresh(), sinks: [webhook(hook.url)] });
    signals.listener(nullified);
    assert.deepEqual(await signals.flush(), []);
    assert.equal(hook.requests.length, 3);
  });

  test('a dead webhook becomes a warning after its retries, never an error', async () => {
    const hook = await hookServer([500]);
    servers.push(hook);
    const metrics = fresh();
    const jsonl = join(mkdtempSync(join(tmpdir(), 'steward-signals-')), 'events.jsonl');
    const signals = new Signals({
      metrics,
      sinks: [webhook(hook.url, { retries: 2 }), new JsonlSink(jsonl)],
    });
    signals.listener(nullified);
    const warnings = await signals.flush();
    assert.equal(hook.requests.length, 3, 'the first attempt and two retries');
    assert.deepEqual(warnings, [
      { sink: 'webhook', events: 1, message: `POST ${hook.url} failed: HTTP 500` },
    ]);
    assert.equal(readFileSync(jsonl, 'utf8').trimEnd().split('\n').length, 1, 'the other sink still got it');
    assert.equal(
      value(await scrape(metrics), 'steward_signal_delivery_failures_total', { sink: 'webhook' }),
      1,
    );
    assert.deepEqual(await signals.flush(), [], 'warnings are reported once');
  });

  test('a 4xx answer is not retried; a closed port and a silent server are warnings too', async () => {
    const bad = await hookServer([400]);
    const silent = await hookServer([200], 1500);
    servers.push(bad, silent);
    const closed = await hookServer([200]);
    await closed.close();
    const metrics = fresh();
    const results = [];
    for (const sink of [
      webhook(bad.url),
      webhook(closed.url, { retries: 1 }),
      webhook(silent.url, { retries: 0, timeoutMs: 100 }),
    ]) {
      const signals = new Signals({ metrics, sinks: [sink] });
      signals.listener(nullified);
      results.push((await signals.flush()).map((w) => w.message));
    }
    assert.equal(bad.requests.length, 1);
    assert.match(results[0]![0]!, /HTTP 400$/);
    assert.match(results[1]![0]!, /ECONNREFUSED$/);
    assert.match(results[2]![0]!, /no answer within 100 ms$/);
  });

  test('openSignals builds the sinks the config names', async () => {
    const hook = await hookServer([200]);
    servers.push(hook);
    const dir = mkdtempSync(join(tmpdir(), 'steward-signals-'));
    const config = resolveConfig(
      {
        stores: { main: { kind: 'sqlite', file: 'x.sqlite' } },
        signals: {
          jsonl: 'out/../events.jsonl',
          webhook: { url: { $env: 'HOOK' }, headers: { 'x-token': { $env: 'TOKEN' } } },
        },
      },
      { baseDir: dir, env: { HOOK: hook.url, TOKEN: 'secret' } },
    );
    assert.deepEqual(config.signals, {
      jsonl: join(dir, 'events.jsonl'),
      webhook: { url: hook.url, headers: { 'x-token': 'secret' }, timeoutMs: 5000, retries: 3 },
    });
    const signals = openSignals(config.signals, { metrics: fresh() });
    signals.listener(nullified);
    assert.deepEqual(await signals.flush(), []);
    assert.equal(hook.requests[0]?.headers['x-token'], 'secret');
    assert.equal(readFileSync(join(dir, 'events.jsonl'), 'utf8').split('\n').length, 2);
  });

  test('signals settings are validated with every problem named', () => {
    assert.throws(
      () =>
        resolveConfig(
          {
            stores: { main: { kind: 'sqlite', file: 'x' } },
            signals: { webhook: { url: 'ftp://x', retries: -1 }, slack: 1 },
          },
          { baseDir: '/p', env: {} },
        ),
      (e: Error) =>
        /signals\.slack: is not a known setting/.test(e.message) &&
        /signals\.webhook\.url: must be an http/.test(e.message) &&
        /signals\.webhook\.retries: must be a whole number of at least 0/.test(e.message),
    );
  });
});
