/**
 * Validates OpenLineage RunEvents against the spec's JSON Schema (2-0-2) with ajv: the subset in
 * test/fixtures/openlineage, written from the spec because no npm package ships the schema.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

const schema = JSON.parse(
  readFileSync(join(import.meta.dirname, '../fixtures/openlineage/OpenLineage-2-0-2-subset.json'), 'utf8'),
);
const ajv = new Ajv2020({ allErrors: true, strict: false });
// ajv-formats is CommonJS: its function is the default export or the module itself.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as (a: Ajv2020) => void;
addFormats(ajv);
const validate = ajv.compile(schema);

/** Fails the test, naming the event and every problem, unless `event` is a valid RunEvent. */
export function assertRunEvent(event: unknown): void {
  const ok = validate(event);
  assert.ok(ok, `not an OpenLineage RunEvent: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(event)}`);
}
