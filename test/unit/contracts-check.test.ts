/**
 * The pure engine of `contracts check` and `contracts deprecations`: contracts are built in
 * memory, compared with a baseline, and the findings compared with hand-written expectations.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fieldPathToPointer } from '../../src/contracts/check/affected-services.js';
import { checkContracts } from '../../src/contracts/check/check-contracts.js';
import type { CheckFinding, CheckReport } from '../../src/contracts/check/check-report.js';
import { listDeprecations } from '../../src/contracts/check/list-deprecations.js';
import { findingLine, renderCheckReport } from '../../src/contracts/check/render-check-report.js';
import { renderRulesTable } from '../../src/contracts/check/rules-table.js';
import { sameJson } from '../../src/contracts/check/same-json.js';
import type { CompatibilityMode } from '../../src/contracts/compatibility/check-compatibility.js';
import { compatibilityRules, type Semantics } from '../../src/contracts/compatibility/compatibility-rules.js';
import type { JsonSchema } from '../../src/contracts/compatibility/schema-change.js';
import {
  type ConsumerDeclaration,
  type Contract,
  contractRules,
  type FieldDeclaration,
  type Waiver,
} from '../../src/contracts/contract.js';
import { pointerToFieldPath } from '../../src/contracts/field-paths.js';
import type { JsonObject } from '../../src/core/json.js';

const str = { type: 'string' };
/** A document schema: `id` and the given fields, open, `id` required. */
const doc = (fields: JsonObject = {}, required = ['id']): JsonSchema => ({
  type: 'object',
  properties: { id: str, ...fields },
  required,
});

type VersionSpec = JsonSchema | { schema: JsonSchema; version?: number; startsGroup?: string };
interface Spec {
  versions: VersionSpec[];
  mode?: CompatibilityMode;
  semantics?: Semantics;
  consumers?: Record<string, Partial<ConsumerDeclaration>>;
  fields?: Record<string, Partial<FieldDeclaration>>;
  waivers?: Waiver[];
}

/** A parsed contract, as the loader would give it (schemas have no $refs, so resolved = schema). */
function contract(collection: string, spec: Spec): Contract {
  let group = 1;
  let previous = 0;
  const versions = spec.versions.map((entry, i) => {
    type Options = { schema: JsonSchema; version?: number; startsGroup?: string };
    const v = (typeof entry === 'object' && 'schema' in entry ? entry : { schema: entry }) as Options;
    if (v.startsGroup !== undefined && i > 0) group++;
    previous = v.version ?? previous + 1;
    const reason = v.startsGroup !== undefined ? { groupReason: v.startsGroup } : {};
    return { version: previous, schema: v.schema, resolved: v.schema, group, ...reason };
  });
  return {
    collection,
    owner: 'case-service',
    versionField: 'schemaVersion',
    compatibility: { mode: spec.mode ?? 'full-transitive', semantics: spec.semantics ?? 'lenient' },
    versions,
    fields: Object.fromEntries(
      Object.entries(spec.fields ?? {}).map(([k, d]) => [k, { authority: 'authoritative', ...d }]),
    ),
    consumers: Object.fromEntries(
      Object.entries(spec.consumers ?? {}).map(([k, c]) => [k, { reads: [], writes: [], ...c }]),
    ),
    waivers: spec.waivers ?? [],
    file: `${collection}.contract.json`,
  };
}

/** What a test compares of a finding: enough to tell findings apart, stable across wording. */
const brief = (f: CheckFinding) =>
  [
    f.rule,
    f.path || '(root)',
    f.direction ?? '-',
    f.fromVersion === undefined ? '-' : `v${f.fromVersion}`,
    f.toVersion === undefined ? '-' : `v${f.toVersion}`,
    f.consumer ?? '-',
    f.status,
  ].join(' ');

const findingsOf = (report: CheckReport) => report.collections.flatMap((c) => c.findings);
const asOf = '2026-05-01';
const readers = { reporting: { reads: ['status'] }, 'case-list-projector': { reads: ['status', 'title'] } };

type Case = { name: string; baseline: Contract[]; current: Contract[]; asOf?: string; expect: string[] };

const v1 = doc({ status: str, title: str });
const narrowed = doc({ status: { type: 'string', enum: ['open', 'closed'] }, title: str });
const mixed = doc({ status: { type: ['string', 'integer'] }, title: str });

const cases: Case[] = [
  {
    name: 'an unchanged contract has no findings',
    baseline: [contract('cases', { versions: [v1], consumers: readers })],
    current: [contract('cases', { versions: [v1], consumers: readers })],
    expect: [],
  },
  {
    name: 'an optional field added in a new version is safe',
    baseline: [contract('cases', { versions: [v1] })],
    current: [contract('cases', { versions: [v1, doc({ status: str, title: str, note: str })] })],
    expect: [],
  },
  {
    name: 'an enum narrowed in a new version breaks backward compatibility',
    baseline: [contract('cases', { versions: [v1], consumers: readers })],
    current: [contract('cases', { versions: [v1, narrowed], consumers: readers })],
    expect: ['enum-narrowed /properties/status backward v1 v2 - failing'],
  },
  {
    name: 'a new collection cannot break anything',
    baseline: [],
    current: [contract('cases', { versions: [v1, narrowed] })],
    expect: [],
  },
  {
    name: 'accepted history is not reported again',
    baseline: [contract('cases', { versions: [mixed, v1] })],
    current: [contract('cases', { versions: [mixed, v1] })],
    expect: [],
  },
  {
    name: 'only pairs with a new version are reported (plain mode)',
    baseline: [contract('cases', { mode: 'full', versions: [mixed, v1] })],
    current: [
      contract('cases', { mode: 'full', versions: [mixed, v1, doc({ status: str, title: str, n: str })] }),
    ],
    expect: [],
  },
  {
    name: 'a transitive pair with a new version reports old breakage through the new version',
    baseline: [contract('cases', { versions: [mixed, v1] })],
    current: [contract('cases', { versions: [mixed, v1, doc({ status: str, title: str, n: str })] })],
    expect: ['type-narrowed /properties/status backward v1 v3 - failing'],
  },
  {
    name: 'two new versions are each checked against the versions before them',
    baseline: [contract('cases', { versions: [v1] })],
    current: [contract('cases', { versions: [v1, narrowed, v1] })],
    expect: [
      'enum-narrowed /properties/status backward v1 v2 - failing',
      'enum-widened /properties/status forward v2 v3 - failing',
    ],
  },
  {
    name: 'a stricter mode checks the accepted history again',
    baseline: [contract('cases', { mode: 'backward', versions: [narrowed, v1] })],
    current: [contract('cases', { mode: 'full', versions: [narrowed, v1] })],
    expect: ['enum-widened /properties/status forward v1 v2 - failing'],
  },
  {
    name: 'strict semantics check the accepted history again',
    baseline: [contract('cases', { versions: [v1, doc({ status: str, title: str, note: str })] })],
    current: [
      contract('cases', { semantics: 'strict', versions: [v1, doc({ status: str, title: str, note: str })] }),
    ],
    expect: ['field-added-optional /properties/note backward v1 v2 - failing'],
  },
  {
    name: 'a looser mode does not re-check',
    baseline: [contract('cases', { mode: 'full-transitive', versions: [v1] })],
    current: [contract('cases', { mode: 'backward', versions: [v1] })],
    expect: [],
  },
  {
    name: 'a new compatibility group accepts a breaking change',
    baseline: [contract('cases', { versions: [v1] })],
    current: [contract('cases', { versions: [v1, { schema: mixed, startsGroup: 'status may be a code' }] })],
    expect: [],
  },
  {
    name: 'earlier groups are not compared with the newest',
    baseline: [contract('cases', { versions: [v1, { schema: mixed, startsGroup: 'status codes' }] })],
    current: [
      contract('cases', {
        // v3 would break v1 (forward: old readers get integer statuses), but v1 is in an older group.
        versions: [
          v1,
          { schema: mixed, startsGroup: 'status codes' },
          doc({ status: { type: ['string', 'integer'] }, title: str, note: str }),
        ],
      }),
    ],
    expect: [],
  },
  {
    name: 'a version edited in place, with what the edit breaks',
    baseline: [contract('cases', { versions: [v1, doc({ status: str, title: str, note: str })] })],
    current: [
      contract('cases', { versions: [v1, doc({ status: str, title: str, note: { type: 'integer' } })] }),
    ],
    expect: [
      'version-edited (root) - v2 v2 - failing',
      'type-changed /properties/note backward v2 v2 - failing',
      'type-changed /properties/note forward v2 v2 - failing',
    ],
  },
  {
    name: 'a version gaining startsCompatibilityGroup is an edit',
    baseline: [contract('cases', { versions: [v1, mixed] })],
    current: [contract('cases', { versions: [v1, { schema: mixed, startsGroup: 'hide it' }] })],
    expect: ['version-edited (root) - v2 v2 - failing'],
  },
  {
    name: 'a version of the newest group removed',
    baseline: [contract('cases', { versions: [v1, narrowed] })],
    current: [contract('cases', { versions: [{ schema: narrowed, version: 2 }] })],
    expect: ['version-removed (root) - v1 - - failing'],
  },
  {
    name: 'a version of an older group removed, with the group marker dropped from the new first version',
    baseline: [contract('cases', { versions: [mixed, { schema: v1, startsGroup: 'status is text' }] })],
    current: [contract('cases', { versions: [{ schema: v1, version: 2 }] })],
    expect: [],
  },
  {
    name: 'a removed collection names its consumers',
    baseline: [contract('cases', { versions: [v1], consumers: readers })],
    current: [],
    expect: ['collection-removed (root) - - v1 - failing'],
  },
  {
    name: 'a removed field still read by a consumer, whatever the semantics',
    baseline: [contract('cases', { versions: [v1], consumers: readers })],
    current: [contract('cases', { versions: [v1, doc({ status: str })], consumers: readers })],
    expect: ['consumer-reads-removed-field /properties/title - - v2 case-list-projector failing'],
  },
  {
    name: 'a removed object is reported once for a consumer reading a field inside it',
    baseline: [
      contract('cases', { versions: [doc({ lead: { type: 'object', properties: { officerId: str } } })] }),
    ],
    current: [
      contract('cases', {
        versions: [doc({ lead: { type: 'object', properties: { officerId: str } } }), doc()],
        consumers: { reporting: { reads: ['lead.officerId'] } },
      }),
    ],
    expect: ['consumer-reads-removed-field /properties/lead - - v2 reporting failing'],
  },
  {
    name: 'a deprecated field removed before its date',
    baseline: [contract('cases', { versions: [v1] })],
    current: [
      contract('cases', {
        versions: [v1, doc({ status: str })],
        fields: { title: { deprecated: { removeAfter: '2026-06-01', reason: 'use name' } } },
      }),
    ],
    expect: ['deprecated-field-removed-early /properties/title - - v2 - failing'],
  },
  {
    name: 'a deprecated field removed on its date',
    asOf: '2026-06-01',
    baseline: [
      contract('cases', {
        versions: [v1],
        fields: { title: { deprecated: { removeAfter: '2026-06-01', reason: 'use name' } } },
      }),
    ],
    current: [contract('cases', { versions: [v1, doc({ status: str })] })],
    expect: [],
  },
];

describe('contracts check: every rule', () => {
  for (const c of cases) {
    test(c.name, () => {
      const report = checkContracts({ baseline: c.baseline, current: c.current, asOf: c.asOf ?? asOf });
      assert.deepEqual(findingsOf(report).map(brief), c.expect);
      assert.equal(
        report.ok,
        c.expect.every((e) => e.endsWith('waived')),
      );
    });
  }
});

describe('contracts check: findings', () => {
  const report = checkContracts({
    baseline: [contract('cases', { versions: [v1], consumers: readers })],
    current: [contract('cases', { versions: [v1, narrowed], consumers: readers })],
    asOf,
  });

  test('a finding names the field, the policy, the affected services and the owner', () => {
    const [f] = findingsOf(report);
    assert.ok(f);
    assert.equal(f.field, 'status');
    assert.equal(f.mode, 'full-transitive');
    assert.deepEqual(f.affected, ['case-list-projector', 'reporting']);
    assert.equal(f.owner, 'case-service');
    assert.match(f.message, /readers of version 2 may fail on documents written with version 1/);
  });

  test('the report gives each collection its mode and semantics', () => {
    const [c] = report.collections;
    assert.deepEqual(
      { mode: c?.mode, semantics: c?.semantics, change: c?.change, compared: c?.comparedVersions },
      { mode: 'full-transitive', semantics: 'lenient', change: 'changed', compared: [1, 2] },
    );
    assert.deepEqual(
      { ok: report.ok, failing: report.failing, waived: report.waived },
      {
        ok: false,
        failing: 1,
        waived: 0,
      },
    );
  });

  test('the human line reads as the docs show', () => {
    assert.equal(
      findingLine(findingsOf(report)[0] as CheckFinding),
      '✗ cases /properties/status (status): enum-narrowed [full-transitive, backward] v1→v2 — values restricted to "open", "closed": readers of version 2 may fail on documents written with version 1 (old documents may hold the removed values); for example {"id":"","status":""} is valid under version 1 and not under version 2. Affects: case-list-projector, reporting (owner case-service)',
    );
    assert.match(renderCheckReport(report).at(-1) ?? '', /^✗ contracts check failed: 1 failing finding/);
  });

  test('versions keep their real numbers when the group does not start at 1', () => {
    const versions = [v1, { schema: mixed, startsGroup: 'codes' }, { schema: v1, version: 7 }];
    const r = checkContracts({
      baseline: [contract('cases', { versions: versions.slice(0, 2) })],
      current: [contract('cases', { versions })],
      asOf,
    });
    const [f] = findingsOf(r);
    assert.equal(f && brief(f), 'type-narrowed /properties/status backward v2 v7 - failing');
    assert.match(f?.message ?? '', /readers of version 7 may fail on documents written with version 2/);
    assert.deepEqual(r.collections[0]?.comparedVersions, [2, 7]);
  });

  test('an edited version is named as released and as now written', () => {
    const r = checkContracts({
      baseline: [contract('cases', { versions: [v1] })],
      current: [contract('cases', { versions: [narrowed] })],
      asOf,
    });
    const violation = findingsOf(r).find((f) => f.rule === 'enum-narrowed');
    assert.match(
      violation?.message ?? '',
      /readers of version 1 as now written may fail on documents written with version 1 as released/,
    );
  });

  test('a removed collection names every consumer, also one that declares no fields', () => {
    const r = checkContracts({
      baseline: [contract('cases', { versions: [v1], consumers: { ...readers, archiver: {} } })],
      current: [],
      asOf,
    });
    const [f] = findingsOf(r);
    assert.match(f?.message ?? '', /consumers archiver, case-list-projector, reporting/);
    assert.deepEqual(f?.affected, ['archiver', 'case-list-projector', 'reporting']);
    assert.equal(r.collections[0]?.change, 'removed');
  });
});

describe('contracts check: waivers', () => {
  const waiver = (w: Partial<Waiver>): Waiver => ({
    rule: 'enum-narrowed',
    path: '/properties/status',
    reason: 'reporting ignores unknown statuses',
    expires: '2026-05-01',
    ...w,
  });
  const run = (waivers: Waiver[]) =>
    findingsOf(
      checkContracts({
        baseline: [contract('cases', { versions: [v1], consumers: readers })],
        current: [contract('cases', { versions: [v1, narrowed], consumers: readers, waivers })],
        asOf,
      }),
    );

  const table: { name: string; waivers: Waiver[]; status: string; expired?: boolean }[] = [
    { name: 'a waiver by JSON pointer, on its last day', waivers: [waiver({})], status: 'waived' },
    { name: 'a waiver by field path', waivers: [waiver({ path: 'status' })], status: 'waived' },
    {
      name: 'an expired waiver',
      waivers: [waiver({ expires: '2026-04-30' })],
      status: 'failing',
      expired: true,
    },
    { name: 'a waiver of another path', waivers: [waiver({ path: 'title' })], status: 'failing' },
    { name: 'a waiver of another rule', waivers: [waiver({ rule: 'type-changed' })], status: 'failing' },
    {
      name: 'a valid waiver wins over an expired one',
      waivers: [waiver({ expires: '2026-01-01' }), waiver({ expires: '2026-12-31' })],
      status: 'waived',
    },
  ];
  for (const c of table) {
    test(c.name, () => {
      const [f] = run(c.waivers);
      assert.equal(f?.status, c.status);
      assert.equal(f?.waiver?.expired, c.expired ?? (c.status === 'waived' ? false : undefined));
      if (c.expired) assert.match(f?.message ?? '', /the waiver for it expired on 2026-04-30/);
    });
  }

  test('waived findings do not fail the check, and say why', () => {
    const report = checkContracts({
      baseline: [contract('cases', { versions: [v1], consumers: readers })],
      current: [contract('cases', { versions: [v1, narrowed], consumers: readers, waivers: [waiver({})] })],
      asOf,
    });
    assert.deepEqual(
      { ok: report.ok, failing: report.failing, waived: report.waived },
      {
        ok: true,
        failing: 0,
        waived: 1,
      },
    );
    assert.match(
      findingLine(findingsOf(report)[0] as CheckFinding),
      /^○ waived: .* Waived until 2026-05-01: reporting ignores unknown statuses\./,
    );
  });
});

describe('contracts deprecations', () => {
  const fields = {
    title: { deprecated: { removeAfter: '2026-05-01', reason: 'use name', replacement: 'name' } },
    status: { deprecated: { removeAfter: '2026-04-21', reason: 'use state' } },
    note: { deprecated: { removeAfter: '2026-05-11', reason: 'unused' } },
  };
  const list = listDeprecations(
    [
      contract('cases', {
        versions: [doc({ status: str, title: str, note: str }), doc({ status: str, title: str })],
        consumers: readers,
        fields,
      }),
    ],
    asOf,
  );

  test('each deprecated field with days left, status, readers and whether it is removed', () => {
    assert.deepEqual(
      list.map((d) => [d.field, d.daysLeft, d.status, d.readers.join(','), d.removed]),
      [
        ['status', -10, 'due', 'case-list-projector,reporting', false],
        ['title', 0, 'due', 'case-list-projector', false],
        ['note', 10, 'not-yet', '', true],
      ],
    );
    assert.equal(list[1]?.replacement, 'name');
    assert.equal(list[1]?.reason, 'use name');
  });
});

describe('sameJson', () => {
  const table: [unknown, unknown, boolean][] = [
    [{ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 }, true],
    [{ a: 1, b: undefined }, { a: 1 }, true],
    [{ a: 1 }, { a: 1, b: null }, false],
    [[1, 2], [2, 1], false],
    [{ a: { b: 'x' } }, { a: { b: 'y' } }, false],
    [{ a: [] }, { a: {} }, false],
    [1, '1', false],
  ];
  for (const [a, b, same] of table) {
    test(`${JSON.stringify(a)} ${same ? '=' : '≠'} ${JSON.stringify(b)}`, () => {
      assert.equal(sameJson(a, b), same);
      assert.equal(sameJson(b, a), same);
    });
  }

  test('a version is edited only when its content differs, not its key order', () => {
    const reordered = JSON.parse(
      JSON.stringify({ required: ['id'], properties: (v1 as JsonObject).properties, type: 'object' }),
    );
    const r = checkContracts({
      baseline: [contract('cases', { versions: [v1] })],
      current: [contract('cases', { versions: [reordered] })],
      asOf,
    });
    assert.deepEqual(findingsOf(r), []);
    assert.equal(r.collections[0]?.change, 'unchanged');
  });
});

describe('field pointers', () => {
  for (const field of ['', 'status', 'lead.officerId', 'lines[].sku', 'matrix[][].x', 'a/b~c']) {
    test(`${field || '(root)'} round-trips through a JSON pointer`, () => {
      assert.equal(pointerToFieldPath(fieldPathToPointer(field)), field);
    });
  }
});

describe('docs/contracts-check.md', () => {
  const docs = readFileSync(join(import.meta.dirname, '../../docs/contracts-check.md'), 'utf8');
  const block = /<!-- rules-table:start -->\n([\s\S]*?)\n<!-- rules-table:end -->/.exec(docs)?.[1];

  test('the rules tables are the ones generated from the rules data', () => {
    assert.equal(block, renderRulesTable(), 'regenerate the block with renderRulesTable()');
  });

  test('every schema rule and every contract rule has its row', () => {
    for (const r of compatibilityRules) {
      assert.ok(
        block?.includes(`| \`${r.kind}\` | ${r.object} | ${r.keywords} |`),
        `${r.kind} (${r.object})`,
      );
    }
    for (const rule of contractRules) assert.ok(block?.includes(`| \`${rule}\` |`), rule);
  });
});
