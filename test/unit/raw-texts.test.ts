/**
 * The raw-texts layout of batch image chunks (core/raw-texts.ts): texts joined unescaped after the
 * elements come back byte for byte, whatever their shape, the whole is one JSON object whose
 * `docTexts` are the texts' values, and a text whose separators are not where the lengths say is
 * refused, never guessed at.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { JsonObject } from '../../src/core/json.js';
import { cutRawTexts, rawTextsJson } from '../../src/core/raw-texts.js';
import { isStewardError } from '../../src/errors/steward-error.js';

const layout = { field: 'entries', text: 'docText' };

/** Texts as users' writers store them: none of them `JSON.stringify`'s own. */
const awkward = [
  '{\n  "id": "a",\n  "name": "P\\u00e9 Q",\n  "tags": [\n    [1, [2]],\n    []\n  ]\n}',
  '{"id":"b",\t"url":"http:\\/\\/x\\/y",\r\n"n":1.0,"z":-0}',
  '{"id":"c","big":123456789012345678901234567890,"e":1E5,"s":"\u00e9\u{1F600}\\n]}"}',
  '  {"id":"d","nested":{"a":[{"b":"],\\n\\"docTexts\\":["}]}}  ',
  '{}',
];

/** A chunk's text: its fields, then the elements with the texts' lengths, then the texts. */
function chunkText(texts: readonly string[]): { text: string; elements: JsonObject[] } {
  const elements = texts.map((t, i) => ({ key: `k${i}`, writtenVersion: 2, docTextLength: t.length }));
  const head = JSON.stringify({ id: 'mig|m|1|c|b|x', part: 'head', note: 'a\nb', entries: [] });
  return {
    text: rawTextsJson(
      layout,
      head,
      elements.map((e) => JSON.stringify(e)),
      texts,
    ),
    elements,
  };
}

function refused(text: string, what: RegExp): void {
  assert.throws(
    () => cutRawTexts(text, layout, 'mig|m|1|c|b|x'),
    (error) =>
      isStewardError(error, 'store.corrupt') && what.test(error.message) && /mig\|m\|1/.test(error.message),
  );
}

describe('raw texts of batch image chunks', () => {
  test('awkward texts come back byte for byte; the whole parses to the texts as values', () => {
    const { text, elements } = chunkText(awkward);
    const cut = cutRawTexts(text, layout, 'x')!;
    assert.deepEqual(cut.texts, awkward);
    assert.deepEqual(cut.elements, elements);
    assert.deepEqual(cut.head, { id: 'mig|m|1|c|b|x', part: 'head', note: 'a\nb', entries: elements });
    const whole = JSON.parse(text) as JsonObject;
    assert.deepEqual(
      whole.docTexts,
      awkward.map((t) => JSON.parse(t)),
    );
    assert.equal(
      text.indexOf('\n'),
      text.indexOf('\n"docTexts":['),
      'the first raw newline is the separator',
    );
  });

  test('a chunk of one text, and one of none', () => {
    const one = chunkText([awkward[0]!]);
    assert.deepEqual(cutRawTexts(one.text, layout, 'x')?.texts, [awkward[0]]);
    const none = chunkText([]);
    assert.deepEqual(cutRawTexts(none.text, layout, 'x')?.texts, []);
  });

  test('JSON without a raw newline is not this layout: the caller parses it whole', () => {
    assert.equal(cutRawTexts(JSON.stringify({ entries: [{ docText: awkward[0] }] }), layout, 'x'), undefined);
  });

  test('separators or lengths out of place are refused with the document named', () => {
    const { text } = chunkText(awkward);
    const [head, rest] = [text.slice(0, text.indexOf('\n')), text.slice(text.indexOf('\n'))];
    refused(`${head}\n"docTexts":{${rest.slice('\n"docTexts":['.length)}`, /no "docTexts":\[ follows/);
    refused(`${head}${rest.replace(`${awkward[0]},`, `${awkward[0]};`)}`, /text 0 is not followed by ","/);
    refused(`${text.slice(0, -2)}]`, /do not end where their lengths say/);
    refused(`${text} `, /do not end where their lengths say/);
    refused(
      text.replace(`"docTextLength":${awkward[1]!.length}`, `"docTextLength":${awkward[1]!.length - 1}`),
      /not followed by ","/,
    );
    refused(
      text.replace(`"docTextLength":${awkward[4]!.length}`, '"docTextLength":"2"'),
      /element 4 has no length/,
    );
    refused(text.replace('"entries":[', '"entries":{'), /head/);
    refused(`${head.slice(0, -1)}\n${rest}`, /head/);
  });
});
