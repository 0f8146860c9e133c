import { StewardError } from '../errors/steward-error.js';
import { isJsonObject, type JsonObject } from './json.js';

/**
 * Where a JSON object keeps texts raw (see {@link rawTextsJson}): its last field `field`, an array
 * of objects, each once holding a text under `text`, which now sits raw in the field `<text>s`
 * after the array, its length (in JS string units) in the element's `<text>Length`.
 */
export interface RawTextsLayout {
  readonly field: string;
  readonly text: string;
}

/** The field of each element holding its text's length. */
export function rawTextLengthField(layout: RawTextsLayout): string {
  return `${layout.text}Length`;
}

/** The field after `layout.field` holding the texts. */
export function rawTextsField(layout: RawTextsLayout): string {
  return `${layout.text}s`;
}

/**
 * A JSON object's text with JSON texts kept as they are, not escaped into strings:
 * `{<head's fields>,"<field>":[E1,...,En],\n"<text>s":[T1,...,Tn]}`, one valid JSON object whose
 * `<text>s` holds the texts' values. `head` is `JSON.stringify` of the object with `field` last and
 * empty (`...,"<field>":[]}`); `elements` are the elements' JSON texts, each with its text's length
 * (see {@link rawTextLengthField}); `texts` are JSON texts, each kept byte for byte. Escaping a
 * document's text as a string cost apply about 1.5-2 µs a document, and unescaping it rollback a
 * `JSON.parse` of the whole holder (issue 17, tenth pass). `JSON.stringify` never writes a raw
 * newline, so the one before `"<text>s"` is the first of the text: a reader finds the head by it
 * and parses only that ({@link cutRawTexts}).
 */
export function rawTextsJson(
  layout: RawTextsLayout,
  head: string,
  elements: readonly string[],
  texts: readonly string[],
): string {
  return `${head.slice(0, -3)}[${elements.join(',')}],\n${JSON.stringify(rawTextsField(layout))}:[${texts.join(',')}]}`;
}

/** A text of {@link rawTextsJson} taken apart: the head's fields with `field`, and the texts. */
export interface RawTexts {
  /** The object without `<text>s`: its `field` holds the elements, each with its text's length. */
  readonly head: JsonObject;
  readonly elements: readonly JsonObject[];
  /** The texts, in the elements' order, byte for byte as written. */
  readonly texts: readonly string[];
}

/**
 * `json` taken apart where it is a text of {@link rawTextsJson} (it has a raw newline); undefined
 * where it is not (other JSON, which the caller parses whole). Only the head is parsed; each text
 * is cut by its length and the separators around it checked. Throws `store.corrupt`, naming
 * `name`, where the text has the newline but not the layout: cut elsewhere, a text would come back
 * other than it was written.
 */
export function cutRawTexts(json: string, layout: RawTextsLayout, name: string): RawTexts | undefined {
  const newline = json.indexOf('\n');
  if (newline < 0) return undefined;
  const corrupt = (what: string) =>
    new StewardError(
      'store.corrupt',
      `"${name}" holds raw texts but ${what}: it was changed outside steward. Restore it from a backup of the store.`,
      { document: name },
    );
  const head = headOf(json.slice(0, newline));
  const elements = head?.[layout.field];
  if (!head || !Array.isArray(elements) || !elements.every(isJsonObject))
    throw corrupt(`its head (before the first newline) is not an object ending in "${layout.field}"`);
  const opening = `${JSON.stringify(rawTextsField(layout))}:[`;
  if (!json.startsWith(opening, newline + 1)) throw corrupt(`no ${opening} follows its head`);
  const lengthField = rawTextLengthField(layout);
  const texts: string[] = new Array(elements.length);
  let at = newline + 1 + opening.length;
  for (let i = 0; i < elements.length; i++) {
    const length = elements[i]![lengthField];
    if (!Number.isSafeInteger(length) || (length as number) < 0)
      throw corrupt(`element ${i} has no length "${lengthField}"`);
    if (i > 0 && json[at++] !== ',') throw corrupt(`text ${i - 1} is not followed by ","`);
    texts[i] = json.slice(at, at + (length as number));
    at += length as number;
  }
  if (at + 2 !== json.length || !json.endsWith(']}'))
    throw corrupt('its texts do not end where their lengths say');
  return { head, elements, texts };
}

/** The object a head's text (everything before the newline, ending in `,`) opens, or undefined. */
function headOf(text: string): JsonObject | undefined {
  if (!text.endsWith(',')) return undefined;
  try {
    const value: unknown = JSON.parse(`${text.slice(0, -1)}}`);
    return isJsonObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
