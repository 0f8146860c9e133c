/**
 * Issue 15's corpus: schema pairs across drafts, combinators, tuples, openness and `$ref`, with
 * verdicts written by hand (test/fixtures/contracts-corpus.ts), run through the loader's registry
 * (each draft compiled by its Ajv, `$ref`s inlined) and `checkCompatibility`. Every verdict must
 * match (`unsupported` counts as breaks), fewer than 5% of the pairs may be reported
 * `unsupported`, and every hand-written `o` is itself checked against generated documents.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { documentFor } from '../../fuzz/documents.js';
import { declaredOnly } from '../../fuzz/no-false-pass.js';
import { checkCompatibility } from '../../src/contracts/compatibility/check-compatibility.js';
import { normalRoot } from '../../src/contracts/compatibility/normalize-schema.js';
import type { JsonSchema } from '../../src/contracts/compatibility/schema-change.js';
import { SchemaRegistry } from '../../src/contracts/schema-registry.js';
import type { JsonValue } from '../../src/core/json.js';
import { seededRandom } from '../../src/example/seeded-random.js';
import { corpus } from '../fixtures/contracts-corpus.js';

const order = [
  ['strict', 'backward'],
  ['strict', 'forward'],
  ['lenient', 'backward'],
  ['lenient', 'forward'],
] as const;

function stewardVerdict(
  before: JsonSchema,
  after: JsonSchema,
): { verdict: string; unsupported: boolean; why: string } {
  let unsupported = false;
  const why: string[] = [];
  const letters = order.map(([semantics, direction]) => {
    const { violations } = checkCompatibility({ versions: [before, after], mode: direction, semantics });
    if (violations.some((v) => v.rule === 'unsupported')) unsupported = true;
    why.push(...violations.map((v) => `${semantics}/${direction} ${v.rule} ${v.path}`));
    return violations.length === 0 ? 'o' : 'x';
  });
  return { verdict: letters.join(''), unsupported, why: why.join('; ') };
}

describe('the hand-verdict corpus (issue 15)', () => {
  const results = corpus.map((pair) => {
    const registry = new SchemaRegistry();
    const vb = registry.validator(pair.before, `${pair.name}: before`);
    const va = registry.validator(pair.after, `${pair.name}: after`);
    const before = registry.dereference(pair.before);
    const after = registry.dereference(pair.after);
    return { pair, vb, va, before, after, ...stewardVerdict(before, after) };
  });

  test(`has at least 200 pairs (${corpus.length})`, () => {
    assert.ok(corpus.length >= 200, `${corpus.length} pairs`);
  });

  test('every verdict is the hand-written one', () => {
    const wrong = results
      .filter((r) => r.verdict !== r.pair.verdict)
      .map((r) => `${r.pair.name}: expected ${r.pair.verdict}, steward ${r.verdict} (${r.why})`);
    assert.deepEqual(wrong, []);
  });

  test('fewer than 5% of the pairs are reported unsupported', () => {
    const unsupported = results.filter((r) => r.unsupported).map((r) => r.pair.name);
    assert.ok(
      unsupported.length < corpus.length * 0.05,
      `${unsupported.length} of ${corpus.length}: ${unsupported.join('; ')}`,
    );
  });

  test('no generated document contradicts a hand-written "compatible"', () => {
    const contradicted: string[] = [];
    for (const r of results) {
      const random = seededRandom(corpus.indexOf(r.pair) + 1);
      const docs: JsonValue[] = [];
      for (let i = 0; i < 200; i++)
        docs.push(
          documentFor(r.pair.before as JsonValue, random),
          documentFor(r.pair.after as JsonValue, random),
        );
      order.forEach(([semantics, direction], i) => {
        if (r.pair.verdict[i] !== 'o') return;
        const [reader, writer, writerSchema] =
          direction === 'backward' ? [r.va, r.vb, r.before] : [r.vb, r.va, r.after];
        const root = normalRoot(writerSchema);
        const bad = docs.find(
          (d) => writer(d) && (semantics === 'strict' || declaredOnly([root.schema], root, d)) && !reader(d),
        );
        if (bad !== undefined)
          contradicted.push(`${r.pair.name} ${semantics}/${direction}: ${JSON.stringify(bad)}`);
      });
    }
    assert.deepEqual(contradicted, []);
  });
});
