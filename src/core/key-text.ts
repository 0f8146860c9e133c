import { StewardError } from '../errors/steward-error.js';
import { isJsonObject, type JsonValue } from './json.js';
import { looksTyped, parseTypedValue } from './typed-value.js';

/**
 * The one text form of a document key in steward's text output (refs scan, repair, undo, drift,
 * contracts verify, incidents): its JSON, `"c001159"`, `42` or `{"$oid":"65f0..."}`. It is the form
 * the filter language takes as a value and `--id` takes as a key, so a key copied from any
 * report can be pasted into `--where '{"_id": <key>}'` or `--id '<key>'`. `--json` output holds
 * the same Extended JSON values. Pure.
 */
export function renderKey(key: JsonValue | undefined): string {
  return key === undefined || key === null ? '(no key)' : JSON.stringify(key);
}

/**
 * What a key written on the command line (`--id`) says. JSON is read as JSON: `"c001"` a string,
 * `42` a number, `{"$oid": "..."}` an ObjectId; anything else is the text as it is (`c001`), and
 * `loose` says its type is to be resolved against the collection's keys (`42` typed bare may be
 * the number or the string, a 24-hex string may be an ObjectId). Throws `usage` naming `option`.
 */
export function parseKeyText(text: string, option = '--id'): { key: JsonValue; loose: boolean } {
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('"')) {
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (error) {
      throw usage(option, text, `is not valid JSON (${(error as Error).message})`);
    }
    if (typeof value === 'string') return { key: value, loose: false };
    if (isJsonObject(value) && looksTyped(value)) {
      const typed = parseTypedValue(value, `${option} ${text}`);
      if (typeof typed === 'number' || '$oid' in typed) return { key: typed as JsonValue, loose: false };
    }
    throw usage(option, text, 'is not a key: write a string, a number or {"$oid": "<24 hex digits>"}');
  }
  if (trimmed === '') throw usage(option, text, 'is empty');
  return { key: text, loose: true };
}

function usage(option: string, text: string, why: string): StewardError {
  return new StewardError('usage', `${option} ${text} ${why}`, { option });
}
