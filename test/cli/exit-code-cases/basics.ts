import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExitCodeCase } from '../exit-code-case.js';

const sqliteConfig = (dir: string) =>
  writeFileSync(
    join(dir, 'steward.config.ts'),
    `import { defineConfig } from 'steward';\nexport default defineConfig({ stores: { main: { kind: 'sqlite', file: 'app.sqlite' } }, collections: { cases: {} } });\n`,
  );

export const cases: ExitCodeCase[] = [
  {
    name: 'a filter that is not JSON',
    prepare: sqliteConfig,
    args: ['find', 'cases', '--where', '{bad json'],
    code: 2,
    stderr: /--where/,
  },
  {
    name: 'an unknown command',
    args: ['frobnicate'],
    code: 2,
    stderr: /frobnicate/,
  },
];
