/**
 * The text reports print counts in the one number format of `formatCount` (12,345), while keys,
 * versions, attempts, hashes and durations in milliseconds stay as they are. Pure: the render
 * functions over hand-made reports.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { emptyReport, renderDriftReport } from '../../src/derived/drift-report.js';
import type { ApplyReport } from '../../src/migrations/apply/apply-report.js';
import { renderApplyReport } from '../../src/migrations/apply/render-apply-report.js';

describe('counts in text reports', () => {
  test('a drift report prints its counts with separators, its duration in ms as it is', () => {
    const report = {
      ...emptyReport('case_list.openTaskCount', 'exact', 'drift-1'),
      checked: 12000,
      scanned: 12345,
      drift: 1500,
      orphans: 2000,
      failed: 0,
      cleared: 1000,
      incidents: { opened: 1500, updated: 0, closed: 3000 },
      elapsedMs: 2500,
    };
    const text = renderDriftReport(report).join('\n');
    assert.match(text, /12,000 checked of 12,345 read, 1,500 drifted, 2,000 orphaned copies/, text);
    assert.match(text, /1,000 cleared by a re-read \(2500 ms\)/, text);
    assert.match(text, /incidents: 1,500 opened, 0 updated, 3,000 closed/, text);
  });

  test('an apply report prints its counts with separators, its attempt and plan hash as they are', () => {
    const report: ApplyReport = {
      status: 'applied',
      planHash: 'a'.repeat(64),
      resumed: false,
      migrations: [
        {
          id: '2026-01-01-split-name',
          attempt: 1000,
          status: 'applied',
          operations: [],
          counts: { changed: 25000, skipped: 1200, failed: 0, canary: 1250 },
          failures: [],
          gates: [],
          checksumsBefore: { subjects: { count: 26200, hash: 'b'.repeat(64) } },
          checksumsAfter: { subjects: { count: 26200, hash: 'c'.repeat(64) } },
        },
      ],
      durationMs: 1234,
    };
    const text = renderApplyReport(report).join('\n');
    assert.match(
      text,
      /\(attempt 1000\): applied; 25,000 changed \(1,250 in the canary\), 1,200 skipped/,
      text,
    );
    assert.match(text, /checksum subjects: 26,200 docs b{12} -> 26,200 docs c{12}/, text);
  });
});
