import { compareVersions } from './check-compatibility.js';
import type { JsonSchema, SchemaChange } from './schema-change.js';

/**
 * Every change between two schemas that breaks a direction under strict semantics, each once:
 * what a strict `full` check would report. A convenience for tests and tools; the check itself
 * is `checkCompatibility`.
 */
export function diffSchemas(before: JsonSchema, after: JsonSchema): SchemaChange[] {
  const seen = new Set<string>();
  const out: SchemaChange[] = [];
  for (const direction of ['backward', 'forward'] as const) {
    for (const change of compareVersions(before, after, direction, 'strict')) {
      const key = `${change.path}|${change.kind}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(change);
    }
  }
  return out;
}
