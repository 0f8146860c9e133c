/**
 * `derived lint` rules, each on a declaration that breaks it and one that keeps it, resolved from
 * config form the way the CLI gets them; the example's declarations have no error.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DerivedSettings } from '../../src/config/define-config.js';
import { resolveConfig } from '../../src/config/resolve-config.js';
import type { ResolvedDerived } from '../../src/derived/derived.js';
import { lintDerived } from '../../src/derived/lint/lint-derived.js';
import type { LintFinding } from '../../src/derived/lint/lint-finding.js';
import { markerOf, nameWords } from '../../src/derived/lint/naming-rules.js';
import { exampleCollectionNames } from '../../src/example/case-management-model.js';
import { exampleDerived } from '../../src/example/example-derived.js';

const collections = Object.fromEntries(
  [...exampleCollectionNames, 'case_dashboard_projection'].map((n) => [n, {}]),
);

function resolveAll(derived: Record<string, unknown>): ResolvedDerived[] {
  const config = resolveConfig(
    { stores: { main: { kind: 'sqlite', file: 'x.sqlite' } }, collections, derived },
    { baseDir: '/tmp' },
  );
  return [...config.derived.values()];
}

/** A counter whose contract answers every question well; each test changes one thing. */
const complete = {
  kind: 'counter',
  source: { collection: 'tasks', key: 'caseId', where: { status: 'open' } },
  transform: { count: true },
  refresh: 'asynchronous',
  staleness: '5m',
  onFailure: 'mark-stale',
  validation: 'exact',
  repair: 'recompute',
  consumers: [{ service: 'case-portal', irreversible: false }],
  retire: { after: 'case_list_v2.open_task_count_as_of' },
} satisfies DerivedSettings;

/** Findings for one declaration, as `rule path severity`, and the findings themselves. */
function lint(settings: Record<string, unknown>, name = 'case_list.open_task_count_as_of') {
  const findings = lintDerived(resolveAll({ [name]: settings })).findings;
  return { ids: findings.map((f) => `${f.rule} ${f.path} ${f.severity}`), findings };
}

const without = (key: keyof typeof complete) => {
  const { [key]: _, ...rest } = complete;
  return rest;
};

describe('derived lint', () => {
  test('a complete, well-named contract has no finding', () => {
    assert.deepEqual(lint(complete).ids, []);
  });

  test('each contract question left to a default is a warning naming the setting', () => {
    for (const setting of [
      'refresh',
      'staleness',
      'onFailure',
      'validation',
      'repair',
      'retire',
      'consumers',
    ] as const) {
      const { ids, findings } = lint(without(setting));
      assert.ok(ids.includes(`contract-unanswered ${setting} warning`), `${setting}: ${ids.join('; ')}`);
      assert.match(findings.find((f) => f.path === setting)!.suggestion, new RegExp(setting));
    }
    assert.ok(lint({ ...complete, consumers: [] }).ids.includes('contract-unanswered consumers warning'));
    assert.equal(lint(without('staleness')).ids.filter((i) => i.startsWith('immediate')).length, 0);
  });

  test('the defaults agree: staleness follows the refresh, and lint finds no contradiction in them', () => {
    const { refresh: _r, staleness: _s, ...bare } = complete;
    const cases: [string | undefined, number | undefined][] = [
      [undefined, 5 * 60_000],
      ['asynchronous', 5 * 60_000],
      ['scheduled', 24 * 3_600_000],
      ['synchronous', undefined],
      ['manual', undefined],
    ];
    for (const [refresh, stalenessMs] of cases) {
      const settings = refresh ? { ...bare, refresh } : bare;
      const [d] = resolveAll({ 'case_list.open_task_count_as_of': settings });
      assert.equal(d?.stalenessMs, stalenessMs, `refresh ${refresh}`);
      const errors = lint(settings).findings.filter((f) => f.severity === 'error');
      assert.deepEqual(errors, [], `refresh ${refresh}: defaults contradict each other`);
    }
  });

  test('questions left to defaults are one warning per declaration, naming each', () => {
    const { refresh: _r, staleness: _s, onFailure: _o, ...bare } = complete;
    const found = lint(bare).findings.filter((f) => f.rule === 'contract-unanswered');
    assert.equal(found.length, 1);
    assert.equal(found[0]?.path, 'refresh, staleness, onFailure');
    assert.match(
      found[0]?.message ?? '',
      /when it is refreshed .*how stale it may be .*what happens when its update fails/,
    );
  });

  test('lint.accept moves a warning to accepted with its reason; errors and unused acceptances stay visible', () => {
    const name = 'case_list.openTasks';
    const reason = 'a live field read by three services; renaming it is not worth a migration';
    const accepted = lintDerived(
      resolveAll({ [name]: { ...complete, lint: { accept: [{ rule: 'name-hides-authority', reason }] } } }),
    );
    assert.equal(accepted.findings.filter((f) => f.rule === 'name-hides-authority').length, 0);
    assert.deepEqual(
      accepted.accepted.map((f) => [f.rule, f.reason]),
      [['name-hides-authority', reason]],
    );
    assert.equal(accepted.warnings, lintDerived(resolveAll({ [name]: complete })).warnings - 1);
    const unused = lint({ ...complete, lint: { accept: [{ rule: 'kind-contradicts-source', reason }] } });
    assert.ok(unused.ids.includes('accept-unused lint.accept warning'), unused.ids.join('; '));
    const snapshot = {
      ...complete,
      kind: 'snapshot',
      refresh: 'asynchronous',
      source: { collection: 'officers' },
      transform: { copy: 'name', via: 'lead.officerId' },
      lint: { accept: [{ rule: 'snapshot-refreshed', reason }] },
    };
    const error = lint(snapshot, 'cases.officer_name_at_assignment');
    assert.ok(error.ids.includes('snapshot-refreshed refresh error'), 'an error cannot be accepted');
    assert.match(error.findings.find((f) => f.rule === 'accept-unused')?.message ?? '', /cannot be accepted/);
  });

  test('lint.accept names a known rule and a reason', () => {
    assert.throws(
      () =>
        resolveAll({
          'case_list.open_task_count_as_of': {
            ...complete,
            lint: { accept: [{ rule: 'no-such-rule', reason: 'x' }, { rule: 'name-hides-authority' }] },
          },
        }),
      (e: Error) =>
        /lint\.accept\[0\]\.rule: must name a lint rule/.test(e.message) &&
        /lint\.accept\[1\]\.reason: is required/.test(e.message),
    );
  });

  test('a snapshot refreshed automatically is an error; manual is not', () => {
    const snapshot = {
      ...complete,
      kind: 'snapshot',
      source: { collection: 'officers' },
      transform: { copy: 'name', via: 'lead.officerId' },
    };
    const name = 'cases.officer_name_at_assignment';
    for (const refresh of ['synchronous', 'asynchronous', 'scheduled'])
      assert.ok(
        lint({ ...snapshot, refresh }, name).ids.includes('snapshot-refreshed refresh error'),
        refresh,
      );
    const { refresh: _, ...defaulted } = snapshot;
    assert.equal(resolveAll({ [name]: defaulted })[0]?.refresh, 'manual', "a snapshot's default refresh");
    assert.deepEqual(
      lint(defaulted, name).ids.filter((i) => i.startsWith('snapshot-refreshed')),
      [],
      'the default refresh of a snapshot is manual',
    );
    assert.deepEqual(lint({ ...snapshot, refresh: 'manual' }, name).ids, []);
    const flagged = {
      ...complete,
      kind: 'copy',
      snapshot: true,
      source: snapshot.source,
      transform: snapshot.transform,
    };
    assert.ok(lint(flagged, name).ids.includes('snapshot-refreshed refresh error'), 'snapshot: true');
  });

  test('an irreversible decision on state allowed to be stale is an error', () => {
    const consumers = [
      { service: 'case-portal', irreversible: false },
      { service: 'case-closure', irreversible: true },
    ];
    for (const refresh of ['asynchronous', 'scheduled', 'manual']) {
      const { ids, findings } = lint({ ...complete, refresh, consumers });
      assert.ok(ids.includes('irreversible-on-stale consumers[1] error'), refresh);
      assert.match(findings.find((f) => f.rule === 'irreversible-on-stale')!.message, /case-closure/);
    }
    const bounded = lint({ ...complete, refresh: 'synchronous', staleness: '90s', consumers });
    assert.ok(
      bounded.ids.includes('irreversible-on-stale consumers[1] error'),
      'synchronous but with an allowance',
    );
    const immediate = lint({ ...complete, refresh: 'synchronous', staleness: 'immediate', consumers });
    assert.deepEqual(immediate.ids, [], 'synchronous and immediate is safe');
    const reversible = lint({ ...complete, consumers: [consumers[0]] });
    assert.deepEqual(reversible.ids, []);
  });

  test('an irreversible decision on a snapshot is a warning to confirm, not an error', () => {
    const snapshot = {
      ...complete,
      kind: 'snapshot',
      refresh: 'manual',
      source: { collection: 'officers' },
      transform: { copy: 'name', via: 'lead.officerId' },
      consumers: [{ service: 'audit-export', irreversible: true }],
    };
    assert.deepEqual(lint(snapshot, 'cases.officer_name_at_assignment').ids, [
      'irreversible-on-stale consumers[0] warning',
    ]);
  });

  test("staleness 'immediate' and onFailure 'fail-write' need a synchronous refresh", () => {
    assert.deepEqual(lint({ ...complete, staleness: 'immediate' }).ids, [
      'immediate-not-synchronous staleness error',
    ]);
    assert.deepEqual(lint({ ...complete, staleness: 'immediate', refresh: 'synchronous' }).ids, []);
    assert.deepEqual(lint({ ...complete, onFailure: 'fail-write' }).ids, [
      'fail-write-not-synchronous onFailure error',
    ]);
    assert.deepEqual(lint({ ...complete, onFailure: 'fail-write', refresh: 'synchronous' }).ids, []);
  });

  test('a kind that contradicts how the source is linked is a warning', () => {
    const copyLink = { source: { collection: 'subjects' }, transform: { copy: 'name', via: 'subjectId' } };
    assert.deepEqual(lint({ ...complete, ...copyLink }, 'case_list.subject_name_as_of').ids, [
      'kind-contradicts-source kind warning',
    ]);
    assert.deepEqual(lint({ ...complete, kind: 'copy' }, 'case_list.open_task_count_display_cache').ids, [
      'kind-contradicts-source kind warning',
    ]);
    assert.deepEqual(lint({ ...complete, kind: 'aggregate' }).ids, []);
  });

  test('a name without an authority or freshness suffix is warned about, with the suffix of its kind', () => {
    const suggestion = (settings: Record<string, unknown>, name: string) => {
      const found = lint(settings, name).findings.filter(
        (f: LintFinding) => f.rule === 'name-hides-authority',
      );
      assert.equal(found.length, 1, name);
      return found[0]!.suggestion;
    };
    assert.match(suggestion(complete, 'case_list.open_task_count'), /open_task_count_as_of/);
    assert.match(suggestion(complete, 'case_list.openTaskCount'), /openTaskCountAsOf/);
    const copy = {
      ...complete,
      kind: 'copy',
      source: { collection: 'subjects' },
      transform: { copy: 'name', via: 'subjectId' },
    };
    assert.match(suggestion(copy, 'case_list.subject_name'), /subject_name_display_cache/);
    assert.match(
      suggestion({ ...copy, kind: 'projection' }, 'case_list.subjectName'),
      /subjectNameProjected/,
    );
    assert.match(
      suggestion({ ...copy, kind: 'snapshot', refresh: 'manual' }, 'cases.officer_name'),
      /officer_name_at_<event>/,
    );
    for (const name of [
      'case_list.subject_name_display_cache',
      'case_list.subjectNameDisplayCache',
      'case_list.subject_name_projected',
      'case_list.status_search_projection',
      'case_list.subject_name_as_of',
    ])
      assert.deepEqual(
        lint(copy, name).ids.filter((i) => i.startsWith('name-')),
        [],
        name,
      );
    // Section 12 and 22: a collection named as a projection lends its meaning to its fields.
    assert.deepEqual(lint(complete, 'case_dashboard_projection.open_task_count').ids, []);
  });

  test('a name that promises what the declaration does not keep is warned about', () => {
    const copy = {
      ...complete,
      kind: 'copy',
      source: { collection: 'subjects' },
      transform: { copy: 'name', via: 'subjectId' },
    };
    assert.deepEqual(lint(copy, 'case_list.subject_name_at_submission').ids, [
      'name-contradicts-declaration field warning',
    ]);
    assert.deepEqual(lint({ ...copy, kind: 'snapshot', refresh: 'manual' }, 'cases.name_display_cache').ids, [
      'name-contradicts-declaration field warning',
    ]);
    assert.deepEqual(lint(copy, 'case_list.subject_name_authoritative').ids, [
      'name-contradicts-declaration field warning',
    ]);
  });

  test('name words and markers follow snake_case and camelCase alike', () => {
    assert.deepEqual(nameWords('customerNameAtSubmission'), ['customer', 'name', 'at', 'submission']);
    assert.equal(markerOf('customer_name_at_submission'), 'snapshot');
    assert.equal(markerOf('balanceAvailableSnapshot'), 'snapshot');
    assert.equal(markerOf('case_count_as_of'), 'as-of');
    assert.equal(markerOf('totals_calculated_at'), 'metadata');
    assert.equal(markerOf('created_at'), undefined, 'a timestamp is not a snapshot suffix');
    assert.equal(markerOf('balance'), undefined);
  });

  test("the example's declarations have no error", () => {
    const report = lintDerived(resolveAll(exampleDerived() as Record<string, unknown>));
    assert.equal(report.errors, 0, JSON.stringify(report.findings.filter((f) => f.severity === 'error')));
    assert.ok(report.warnings > 0, 'its names hide their freshness: warned, not failed');
  });
});
