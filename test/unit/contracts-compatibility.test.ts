import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type CompatibilityMode,
  checkCompatibility,
} from '../../src/contracts/compatibility/check-compatibility.js';
import { compatibilityRules, type Semantics } from '../../src/contracts/compatibility/compatibility-rules.js';
import { changeKinds, type JsonSchema } from '../../src/contracts/compatibility/schema-change.js';
import { diffSchemas } from '../../src/contracts/compatibility/schema-diff.js';
import type { JsonObject } from '../../src/core/json.js';
import { isStewardError } from '../../src/errors/steward-error.js';

type V = 'ok' | 'breaks';
/** Hand-written expected verdicts, in the order backward, forward, full. */
type Verdicts = readonly [V, V, V];
type Case = {
  name: string;
  before: JsonSchema;
  after: JsonSchema;
  rule: string;
  strict: Verdicts;
  lenient: Verdicts;
};

const str = { type: 'string' };
/** An open user document: id required, name optional. */
const open = (extra: JsonObject = {}, required = ['id']): JsonSchema => ({
  type: 'object',
  properties: { id: str, name: str, ...extra },
  required,
});
const closed = (extra: JsonObject = {}, required = ['id']): JsonSchema => ({
  ...(open(extra, required) as object),
  additionalProperties: false,
});
const withName = (name: JsonObject): JsonSchema => ({
  type: 'object',
  properties: { id: str, name },
  required: ['id'],
});
const without = (schema: JsonSchema, field: string, required = ['id']): JsonSchema => {
  const s = schema as { properties: Record<string, unknown> };
  const { [field]: _gone, ...properties } = s.properties;
  return { ...(schema as object), properties, required } as JsonSchema;
};

const cases: Case[] = [
  {
    name: 'add optional field to an open object',
    before: open(),
    after: open({ email: str }),
    rule: 'field-added-optional',
    strict: ['breaks', 'ok', 'breaks'],
    lenient: ['ok', 'ok', 'ok'],
  },
  {
    name: 'add optional field to a closed object',
    before: closed(),
    after: closed({ email: str }),
    rule: 'field-added-optional',
    strict: ['ok', 'breaks', 'breaks'],
    lenient: ['ok', 'breaks', 'breaks'],
  },
  {
    name: 'add required field to an open object',
    before: open(),
    after: open({ email: str }, ['id', 'email']),
    rule: 'field-added-required',
    strict: ['breaks', 'ok', 'breaks'],
    lenient: ['breaks', 'ok', 'breaks'],
  },
  {
    name: 'add required field to a closed object',
    before: closed(),
    after: closed({ email: str }, ['id', 'email']),
    rule: 'field-added-required',
    strict: ['breaks', 'breaks', 'breaks'],
    lenient: ['breaks', 'breaks', 'breaks'],
  },
  {
    name: 'remove optional field from an open object',
    before: open(),
    after: without(open(), 'name'),
    rule: 'field-removed',
    strict: ['ok', 'breaks', 'breaks'],
    lenient: ['ok', 'ok', 'ok'],
  },
  {
    name: 'remove optional field from a closed object',
    before: closed(),
    after: without(closed(), 'name'),
    rule: 'field-removed',
    strict: ['breaks', 'ok', 'breaks'],
    lenient: ['breaks', 'ok', 'breaks'],
  },
  {
    name: 'remove required field from an open object',
    before: open(),
    after: without(open(), 'id', []),
    rule: 'required-field-removed',
    strict: ['ok', 'breaks', 'breaks'],
    lenient: ['ok', 'breaks', 'breaks'],
  },
  {
    name: 'optional -> required',
    before: open(),
    after: open({}, ['id', 'name']),
    rule: 'field-made-required',
    strict: ['breaks', 'ok', 'breaks'],
    lenient: ['breaks', 'ok', 'breaks'],
  },
  {
    name: 'required -> optional',
    before: open(),
    after: open({}, []),
    rule: 'field-made-optional',
    strict: ['ok', 'breaks', 'breaks'],
    lenient: ['ok', 'breaks', 'breaks'],
  },
  {
    name: 'widen type string -> string|null',
    before: open(),
    after: withName({ type: ['string', 'null'] }),
    rule: 'type-widened',
    strict: ['ok', 'breaks', 'breaks'],
    lenient: ['ok', 'breaks', 'breaks'],
  },
  {
    name: 'widen type integer -> number',
    before: withName({ type: 'integer' }),
    after: withName({ type: 'number' }),
    rule: 'type-widened',
    strict: ['ok', 'breaks', 'breaks'],
    lenient: ['ok', 'breaks', 'breaks'],
  },
  {
    name: 'narrow type string|null -> string',
    before: withName({ type: ['string', 'null'] }),
    after: open(),
    rule: 'type-narrowed',
    strict: ['breaks', 'ok', 'breaks'],
    lenient: ['breaks', 'ok', 'breaks'],
  },
  {
    name: 'change type string -> number',
    before: open(),
    after: withName({ type: 'number' }),
    rule: 'type-changed',
    strict: ['breaks', 'breaks', 'breaks'],
    lenient: ['breaks', 'breaks', 'breaks'],
  },
  {
    name: 'enum add value',
    before: withName({ enum: ['a', 'b'] }),
    after: withName({ enum: ['a', 'b', 'c'] }),
    rule: 'enum-widened',
    strict: ['ok', 'breaks', 'breaks'],
    lenient: ['ok', 'breaks', 'breaks'],
  },
  {
    name: 'enum remove value',
    before: withName({ enum: ['a', 'b'] }),
    after: withName({ enum: ['a'] }),
    rule: 'enum-narrowed',
    strict: ['breaks', 'ok', 'breaks'],
    lenient: ['breaks', 'ok', 'breaks'],
  },
  {
    name: 'const replaced by an enum containing it',
    before: withName({ const: 'a' }),
    after: withName({ enum: ['a', 'b'] }),
    rule: 'enum-widened',
    strict: ['ok', 'breaks', 'breaks'],
    lenient: ['ok', 'breaks', 'breaks'],
  },
  {
    name: 'format change email -> uri',
    before: withName({ type: 'string', format: 'email' }),
    after: withName({ type: 'string', format: 'uri' }),
    rule: 'format-changed',
    strict: ['breaks', 'breaks', 'breaks'],
    lenient: ['breaks', 'breaks', 'breaks'],
  },
  {
    name: 'format added',
    before: open(),
    after: withName({ type: 'string', format: 'email' }),
    rule: 'format-added',
    strict: ['breaks', 'ok', 'breaks'],
    lenient: ['breaks', 'ok', 'breaks'],
  },
  {
    name: 'format removed',
    before: withName({ type: 'string', format: 'email' }),
    after: open(),
    rule: 'format-removed',
    strict: ['ok', 'breaks', 'breaks'],
    lenient: ['ok', 'breaks', 'breaks'],
  },
  {
    name: 'bound tighten maxLength 100 -> 50',
    before: withName({ type: 'string', maxLength: 100 }),
    after: withName({ type: 'string', maxLength: 50 }),
    rule: 'bound-tightened',
    strict: ['breaks', 'ok', 'breaks'],
    lenient: ['breaks', 'ok', 'breaks'],
  },
  {
    name: 'bound tighten minimum 0 -> exclusiveMinimum 0',
    before: withName({ type: 'number', minimum: 0 }),
    after: withName({ type: 'number', exclusiveMinimum: 0 }),
    rule: 'bound-tightened',
    strict: ['breaks', 'ok', 'breaks'],
    lenient: ['breaks', 'ok', 'breaks'],
  },
  {
    name: 'bound relax maximum 10 -> none',
    before: withName({ type: 'number', maximum: 10 }),
    after: withName({ type: 'number' }),
    rule: 'bound-relaxed',
    strict: ['ok', 'breaks', 'breaks'],
    lenient: ['ok', 'breaks', 'breaks'],
  },
  {
    name: 'pattern changed',
    before: withName({ type: 'string', pattern: '^a' }),
    after: withName({ type: 'string', pattern: '^b' }),
    rule: 'pattern-changed',
    strict: ['breaks', 'breaks', 'breaks'],
    lenient: ['breaks', 'breaks', 'breaks'],
  },
  {
    name: 'open -> closed',
    before: open(),
    after: closed(),
    rule: 'open-to-closed',
    strict: ['breaks', 'ok', 'breaks'],
    lenient: ['ok', 'ok', 'ok'],
  },
  {
    name: 'closed -> open',
    before: closed(),
    after: open(),
    rule: 'closed-to-open',
    strict: ['ok', 'breaks', 'breaks'],
    lenient: ['ok', 'ok', 'ok'],
  },
  {
    name: 'rename name -> fullName (same schema)',
    before: open(),
    after: { type: 'object', properties: { id: str, fullName: str }, required: ['id'] },
    rule: 'field-renamed',
    strict: ['breaks', 'breaks', 'breaks'],
    lenient: ['breaks', 'breaks', 'breaks'],
  },
  {
    name: 'a changed $defs is compared through the $ref',
    before: { $defs: { name: str }, properties: { name: { $ref: '#/$defs/name' } } },
    after: { $defs: { name: { type: 'number' } }, properties: { name: { $ref: '#/$defs/name' } } },
    rule: 'type-changed',
    strict: ['breaks', 'breaks', 'breaks'],
    lenient: ['breaks', 'breaks', 'breaks'],
  },
  {
    name: 'annotations only (title, description)',
    before: open(),
    after: { ...(open() as object), title: 'User', description: 'A user' },
    rule: '',
    strict: ['ok', 'ok', 'ok'],
    lenient: ['ok', 'ok', 'ok'],
  },
];

const modes = ['backward', 'forward', 'full'] as const;

describe('contracts compatibility rules, every rule in every mode', () => {
  for (const c of cases) {
    for (const semantics of ['strict', 'lenient'] as const) {
      modes.forEach((mode, i) => {
        const expected = c[semantics][i];
        test(`${c.name}: ${mode}/${semantics} ${expected}`, () => {
          for (const m of [mode, `${mode}-transitive`] as CompatibilityMode[]) {
            const result = checkCompatibility({ versions: [c.before, c.after], mode: m, semantics });
            assert.equal(result.ok ? 'ok' : 'breaks', expected, JSON.stringify(result.violations));
            if (expected === 'breaks') {
              assert.ok(result.violations.some((v) => v.rule === c.rule && v.mode === m));
            }
          }
        });
      });
    }
  }
});

describe('transitive modes', () => {
  // name removed in v2, re-added with another type in v3: each step is fine under lenient.
  const v1 = open();
  const v2 = without(open(), 'name');
  const v3 = withName({ type: 'number' });
  const expected: [CompatibilityMode, Semantics, V][] = [
    ['backward', 'lenient', 'ok'],
    ['forward', 'lenient', 'ok'],
    ['full', 'lenient', 'ok'],
    ['backward-transitive', 'lenient', 'breaks'],
    ['forward-transitive', 'lenient', 'breaks'],
    ['full-transitive', 'lenient', 'breaks'],
    ['backward', 'strict', 'breaks'],
    ['forward', 'strict', 'ok'],
    ['backward-transitive', 'strict', 'breaks'],
    ['forward-transitive', 'strict', 'breaks'],
  ];
  for (const [mode, semantics, verdict] of expected) {
    test(`removed then re-added with another type: ${mode}/${semantics} ${verdict}`, () => {
      const result = checkCompatibility({ versions: [v1, v2, v3], mode, semantics });
      assert.equal(result.ok ? 'ok' : 'breaks', verdict, JSON.stringify(result.violations));
    });
  }

  test('the transitive violation names v1 -> v3 and the path', () => {
    const result = checkCompatibility({
      versions: [v1, v2, v3],
      mode: 'full-transitive',
      semantics: 'lenient',
    });
    assert.deepEqual(
      result.violations.map((v) => [v.fromVersion, v.toVersion, v.path, v.rule, v.direction]),
      [
        [1, 3, '/properties/name', 'type-changed', 'backward'],
        [1, 3, '/properties/name', 'type-changed', 'forward'],
      ],
    );
  });

  test('a chain of widenings stays backward-compatible with every version', () => {
    const versions = [
      withName({ type: 'integer' }),
      withName({ type: 'number' }),
      withName({ type: ['number', 'null'] }),
    ];
    for (const semantics of ['strict', 'lenient'] as const) {
      assert.equal(checkCompatibility({ versions, mode: 'backward-transitive', semantics }).ok, true);
      assert.equal(checkCompatibility({ versions, mode: 'forward', semantics }).ok, false);
    }
  });

  test('plain modes ignore versions before the previous one', () => {
    const versions = [open(), withName({ type: 'number' }), withName({ type: 'number' })];
    assert.equal(checkCompatibility({ versions, mode: 'full', semantics: 'strict' }).ok, true);
    assert.equal(checkCompatibility({ versions, mode: 'full-transitive', semantics: 'strict' }).ok, false);
  });

  test('one version, or none, is compatible', () => {
    assert.equal(
      checkCompatibility({ versions: [open()], mode: 'full-transitive', semantics: 'strict' }).ok,
      true,
    );
    assert.equal(checkCompatibility({ versions: [], mode: 'full', semantics: 'strict' }).ok, true);
  });
});

describe('schema diff', () => {
  test('nested objects are reported by JSON pointer', () => {
    const address = (props: JsonObject) => ({
      type: 'object',
      properties: { address: { type: 'object', properties: props } },
    });
    const changes = diffSchemas(address({ city: str }), address({ city: { type: 'number' } }));
    assert.deepEqual(
      changes.map((c) => [c.path, c.kind]),
      [['/properties/address/properties/city', 'type-changed']],
    );
  });

  test('array items are compared', () => {
    const tags = (items: JsonObject) => withName({ type: 'array', items });
    const changes = diffSchemas(
      tags({ type: 'string', enum: ['a'] }),
      tags({ type: 'string', enum: ['a', 'b'] }),
    );
    assert.deepEqual(
      changes.map((c) => [c.path, c.kind]),
      [['/properties/name/items', 'enum-widened']],
    );
  });

  test('a $ref that does not resolve is unsupported, and says so', () => {
    const [change] = diffSchemas(
      { properties: { a: { $ref: '#/$defs/a' } } },
      { properties: { a: { $ref: '#/$defs/b' } } },
    );
    assert.equal(change?.kind, 'unsupported');
    assert.equal(change?.path, '/properties/a/$ref');
    assert.match(change?.message ?? '', /\$ref` #\/\$defs\/\w does not resolve/);
  });

  test('two candidate renames with the same schema stay a removal and an addition', () => {
    const kinds = diffSchemas({ properties: { a: str, b: str } }, { properties: { c: str, d: str } }).map(
      (c) => c.kind,
    );
    assert.deepEqual(kinds.sort(), [
      'field-added-optional',
      'field-added-optional',
      'field-removed',
      'field-removed',
    ]);
  });

  test('a version that is not a schema is an input error', () => {
    assert.throws(
      () => checkCompatibility({ versions: [open(), [] as never], mode: 'full', semantics: 'strict' }),
      (e) => isStewardError(e, 'input.invalid') && /version 2/.test(e.message),
    );
  });
});

describe('the rules table', () => {
  test('every change kind has a verdict for any object, or for open and closed ones', () => {
    for (const kind of changeKinds) {
      const objects = compatibilityRules.filter((r) => r.kind === kind).map((r) => r.object);
      const ok = objects.length > 0 && new Set(objects).size === objects.length;
      const anyAlone = !objects.includes('any') || objects.length === 1;
      assert.ok(ok && anyAlone, `${kind} has rows for ${objects.join() || 'nothing'}`);
    }
  });
});

describe('issue 15: openness from every keyword, additionalProperties schemas, `false` fields', () => {
  const obj = (properties: JsonObject, extra: JsonObject = {}): JsonSchema => ({
    type: 'object',
    properties,
    ...extra,
  });
  const full = (before: JsonSchema, after: JsonSchema, semantics: Semantics = 'lenient') =>
    checkCompatibility({ versions: [before, after], mode: 'full', semantics });

  test('unevaluatedProperties: false closes an object: adding an optional field breaks forward', () => {
    const before = obj({ id: str }, { unevaluatedProperties: false });
    const after = obj({ id: str, note: str }, { unevaluatedProperties: false });
    const result = full(before, after);
    assert.deepEqual(
      result.violations.map((v) => [v.path, v.rule, v.direction]),
      [['/properties/note', 'field-added-optional', 'forward']],
    );
  });

  test('a field removed from an object closed by unevaluatedProperties breaks backward', () => {
    const result = full(
      obj({ id: str, note: str }, { unevaluatedProperties: false }),
      obj({ id: str }, { unevaluatedProperties: false }),
    );
    assert.deepEqual(
      result.violations.map((v) => [v.rule, v.direction]),
      [['field-removed', 'backward']],
    );
  });

  test('a new field is compared with a schema-valued additionalProperties, with an example', () => {
    const before = obj({ id: str }, { additionalProperties: str });
    const after = obj({ id: str, bar: { type: 'number' } }, { additionalProperties: str });
    const result = full(before, after);
    assert.deepEqual(
      result.violations.map((v) => [v.path, v.rule, v.direction]),
      [
        ['/properties/bar', 'type-changed', 'backward'],
        ['/properties/bar', 'type-changed', 'forward'],
      ],
    );
    const example = result.violations[0]?.example as JsonObject | undefined;
    assert.equal(typeof example?.bar, 'string', 'the old version allowed bar as a string');
    assert.match(
      result.violations[0]?.message ?? '',
      /for example \{.*"bar":"".*\} is valid under version 1 and not under version 2/,
    );
  });

  test('a field covered by additionalProperties may leave properties without a finding', () => {
    const result = full(
      obj({ id: str, foo: str }, { additionalProperties: str }),
      obj({ id: str }, { additionalProperties: str }),
      'strict',
    );
    assert.deepEqual(result.violations, []);
  });

  test('removing "foo": false from a closed object is no change', () => {
    for (const semantics of ['strict', 'lenient'] as const) {
      const closedWith = obj({ id: str, foo: false }, { additionalProperties: false });
      const result = full(closedWith, obj({ id: str }, { additionalProperties: false }), semantics);
      assert.deepEqual(result.violations, [], semantics);
    }
  });

  test('patternProperties declare fields: a pattern removed from a closed object breaks backward', () => {
    const before = obj({ id: str }, { additionalProperties: false, patternProperties: { '^x-': str } });
    const result = full(before, obj({ id: str }, { additionalProperties: false }));
    assert.deepEqual(
      result.violations.map((v) => [v.rule, v.direction]),
      [['open-to-closed', 'backward']],
    );
  });
});
