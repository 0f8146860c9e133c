import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExitCodeCase } from '../exit-code-case.js';

/** A project whose `migrations.lineage` is `lineage` (TypeScript source). */
const lineageConfig = (lineage: string) => (dir: string) =>
  writeFileSync(
    join(dir, 'steward.config.ts'),
    `export default { stores: { main: { kind: 'sqlite', file: 'app.sqlite' } }, collections: { cases: {} }, migrations: { lineage: ${lineage} } };\n`,
  );

const nothingWritten = (dir: string) => assert.equal(existsSync(join(dir, 'app.sqlite')), false);

export const cases: ExitCodeCase[] = [
  {
    name: 'an OpenLineage URL given as migrations.lineage.url instead of webhook.url',
    prepare: lineageConfig(`{ url: 'http://marquez:5000/api/v1/lineage' }`),
    args: ['migrate', 'status'],
    code: 2,
    stderr: /migrations\.lineage\.url: is not a known setting \(expected jsonl, webhook, namespace\)/,
    after: nothingWritten,
  },
  {
    name: 'an empty OpenLineage namespace',
    prepare: lineageConfig(`{ jsonl: 'lineage.jsonl', namespace: '  ' }`),
    args: ['migrate', 'status'],
    code: 2,
    stderr: /migrations\.lineage\.namespace: must not be empty/,
    after: nothingWritten,
  },
  {
    name: 'a lineage webhook that is not an http address',
    prepare: lineageConfig(`{ webhook: { url: 'marquez:5000' } }`),
    args: ['migrate', 'status'],
    code: 2,
    stderr: /migrations\.lineage\.webhook\.url: must be an http:\/\/ or https:\/\/ address/,
    after: nothingWritten,
  },
];
