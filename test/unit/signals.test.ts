/**
 * Signals: the metrics registry and its Prometheus text, integrity events counted and delivered
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
import { resolveConfig } from '../../src/config/resolve-config.js';
import type { IntegrityEvent } from '../../src/signals/integrity-event.js';
import { JsonlSink } from '../../src/signals/jsonl-sink.js';
import { MetricsRegistry } from '../../src/signals/metrics-registry.js';
import { openSignals } from '../../src/signals/open-signals.js';
import { Signals } from '../../src/signals/signals.js';
import { WebhookSink } from '../../src/signals/webhook-sink.js';

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

describe('metrics registry', () => {
  test('counters and gauges with labels render as Prometheus text', () => {
    const r = new MetricsRegistry();
    const found = r.counter('steward_test_found_total', 'Things found', ['reference']);
    found.inc({ reference: 'b.x' });
    found.inc({ reference: 'a.y' }, 2);
    found.inc({ reference: 'a.y' });
    r.gauge('steward_test_open', 'Open now\nper reference', ['reference']).set(
      { reference: 'say "hi"\\' },
      4,
    );
    assert.equal(found.get({ reference: 'a.y' }), 3);
    assert.equal(
      r.toPrometheus(),
      [
        '# HELP steward_test_found_total Things found',
        '# TYPE steward_test_found_total counter',
        'steward_test_found_total{reference="a.y"} 3',
        'steward_test_found_total{reference="b.x"} 1',
        '# HELP steward_test_open Open now\\nper reference',
        '# TYPE steward_test_open gauge',
        'steward_test_open{reference="say \\"hi\\"\\\\"} 4',
        '',
      ].join('\n'),
    );
  });

  test('the same metric is returned again; misuse is refused', () => {
    const r = new MetricsRegistry();
    const c = r.counter('x_total', 'x', ['a']);
    assert.equal(r.counter('x_total', 'x', ['a']), c);
    assert.throws(() => r.gauge('x_total', 'x', ['a']), /already registered/);
    assert.throws(() => r.counter('bad name', 'x'), /not a valid metric name/);
    assert.throws(() => c.inc({ b: '1' }), /has no label "b"/);
    assert.throws(() => c.inc({ a: '1' }, -1), /cannot go down/);
  });
});

describe('signals', () => {
  const servers: { close(): Promise<void> }[] = [];
  after(async () => {
    for (const s of servers) await s.close();
  });

  test('events feed the metrics; guard reads are counted but never sent to sinks', async () => {
    const registry = new MetricsRegistry();
    const delivered: IntegrityEvent[] = [];
    const signals = new Signals({
      registry,
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
    const text = registry.toPrometheus();
    for (const line of [
      'steward_orphans_found_total{reference="profiles.accountId",source="scan"} 5',
      'steward_repairs_total{action="nullified",reference="profiles.accountId"} 1',
      'steward_repairs_total{action="deleted",reference="cases.ownerId"} 1',
      'steward_guarded_reads_total{reference="profiles.accountId",status="missing"} 1',
      'steward_open_incidents{reference="profiles.accountId"} 2',
      'steward_open_incidents{reference="cases.ownerId"} 9',
      'steward_repair_last_duration_seconds{reference="profiles.accountId"} 1.5',
    ])
      assert.ok(text.includes(line), `${line} in\n${text}`);
  });

  test('the JSON-lines sink appends one line per event', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'steward-signals-')), 'events.jsonl');
    const signals = new Signals({
      registry: new MetricsRegistry(),
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
      registry: new MetricsRegistry(),
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
    const signals = new Signals({ registry: new MetricsRegistry(), sinks: [webhook(hook.url)] });
    signals.listener(nullified);
    assert.deepEqual(await signals.flush(), []);
    assert.equal(hook.requests.length, 3);
  });

  test('a dead webhook becomes a warning after its retries, never an error', async () => {
    const hook = await hookServer([500]);
    servers.push(hook);
    const registry = new MetricsRegistry();
    const jsonl = join(mkdtempSync(join(tmpdir(), 'steward-signals-')), 'events.jsonl');
    const signals = new Signals({
      registry,
      sinks: [webhook(hook.url, { retries: 2 }), new JsonlSink(jsonl)],
    });
    signals.listener(nullified);
    const warnings = await signals.flush();
    assert.equal(hook.requests.length, 3, 'the first attempt and two retries');
    assert.deepEqual(warnings, [
      { sink: 'webhook', events: 1, message: `POST ${hook.url} failed: HTTP 500` },
    ]);
    assert.equal(readFileSync(jsonl, 'utf8').trimEnd().split('\n').length, 1, 'the other sink still got it');
    assert.match(registry.toPrometheus(), /steward_signal_delivery_failures_total\{sink="webhook"\} 1/);
    assert.deepEqual(await signals.flush(), [], 'warnings are reported once');
  });

  test('a 4xx answer is not retried; a closed port and a silent server are warnings too', async () => {
    const bad = await hookServer([400]);
    const silent = await hookServer([200], 1500);
    servers.push(bad, silent);
    const closed = await hookServer([200]);
    await closed.close();
    const registry = new MetricsRegistry();
    const results = [];
    for (const sink of [
      webhook(bad.url),
      webhook(closed.url, { retries: 1 }),
      webhook(silent.url, { retries: 0, timeoutMs: 100 }),
    ]) {
      const signals = new Signals({ registry, sinks: [sink] });
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
    const signals = openSignals(config.signals, { registry: new MetricsRegistry() });
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
