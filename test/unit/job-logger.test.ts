/**
 * The pino job-event logger: one JSON line per job event, each carrying the job's id, kind and
 * plan hash, with secrets redacted; a child of any pino logger (Fastify's, in the server).
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { createLogger, jobEventLog, jobLogger } from '../../src/signals/job-logger.js';

function memory() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, destination };
}

test('each job event is one JSON line with the job id, kind and plan hash', () => {
  const { lines, destination } = memory();
  const log = jobEventLog<{ type: string; [field: string]: unknown }>(createLogger({ destination }), {
    id: 'job-7',
    kind: 'migrate.apply',
    planHash: 'c'.repeat(64),
  });
  log({ type: 'started', migration: 'm1' });
  log({ type: 'progress', migration: 'm1', stage: 'canary', counts: { changed: 3 } });
  assert.equal(lines.length, 2);
  for (const line of lines) {
    assert.equal(line.jobId, 'job-7');
    assert.equal(line.jobKind, 'migrate.apply');
    assert.equal(line.planHash, 'c'.repeat(64));
    assert.equal(line.name, 'steward');
    assert.equal(line.level, 30);
  }
  assert.deepEqual(
    lines.map((l) => l.msg),
    ['started', 'progress'],
  );
  assert.deepEqual((lines[1]!.event as { counts: unknown }).counts, { changed: 3 });
});

test('a job without a plan hash has none; secrets in a line are redacted', () => {
  const { lines, destination } = memory();
  const log = jobLogger(createLogger({ destination }), { id: 'scan-1', kind: 'refs.scan' });
  log.info({ token: 'st_secret', webhook: { headers: { authorization: 'Bearer x' } } }, 'configured');
  assert.equal(lines.length, 1);
  assert.equal('planHash' in lines[0]!, false);
  assert.equal(lines[0]!.token, '[Redacted]');
  assert.equal((lines[0]!.webhook as { headers: unknown }).headers, '[Redacted]');
  assert.doesNotMatch(JSON.stringify(lines), /st_secret|Bearer x/);
});
