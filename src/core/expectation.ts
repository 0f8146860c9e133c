import { type JsonObject, readPath, type Scalar } from './json.js';

/**
 * Whether a stored document meets a write's expectation: the field holds `value`, `null` also
 * matching a missing field (as filters do), and `undefined` meaning "must be absent". Adapters
 * that cannot check server-side atomically (none today) and tests use this reference semantics.
 * A whole-number step into an array is a position (see `readPath`).
 */
export function expectationHolds(
  doc: JsonObject,
  expect: { field: string; value: Scalar | undefined },
): boolean {
  const current = readPath(doc, expect.field);
  if (expect.value === undefined) return current === undefined;
  if (expect.value === null) return current === null || current === undefined;
  return current === expect.value;
}
