import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExitCodeCase } from '../exit-code-case.js';

/** A contracts folder holding one contract of `loops` whose only version is `schema`. */
const contractWith = (schema: unknown) => (dir: string) => {
  mkdirSync(join(dir, 'contracts'), { recursive: true });
  const contract = { collection: 'loops', owner: 'svc', versions: [{ version: 1, schema }] };
  writeFileSync(join(dir, 'contracts', 'loops.contract.json'), JSON.stringify(contract));
};

export const cases: ExitCodeCase[] = [
  {
    // It used to load, and `contracts verify` then overflowed the stack on the first document.
    name: 'a contract whose schema is {"$ref": "#"}',
    prepare: contractWith({ $ref: '#' }),
    args: ['contracts', 'list', '--dir', 'contracts'],
    code: 2,
    stderr: /loops\.contract\.json: versions\[0\]\.schema: .*refers to itself/,
  },
  {
    name: 'a contract written against a JSON Schema draft steward does not read',
    prepare: contractWith({ $schema: 'http://json-schema.org/draft-04/schema#', type: 'object' }),
    args: ['contracts', 'list', '--dir', 'contracts'],
    code: 2,
    stderr: /draft-04.*draft-07, 2019-09, 2020-12/,
  },
];
