import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExitCodeCase } from '../exit-code-case.js';

/** The DynamoDB store's `transactionsInFlight` setting (issue 17): a bad value is a config error. */
export const cases: ExitCodeCase[] = [
  {
    name: 'a DynamoDB transactionsInFlight outside 1 to 25',
    prepare: (dir) =>
      writeFileSync(
        join(dir, 'steward.config.ts'),
        `import { defineConfig } from 'steward';\nexport default defineConfig({ stores: { main: { kind: 'dynamodb', region: 'us-east-1', endpoint: 'http://127.0.0.1:9', transactionsInFlight: 40 } }, collections: { cases: {} } });\n`,
      ),
    args: ['count', 'cases'],
    code: 2,
    stderr:
      /stores\.main\.transactionsInFlight: must be a whole number of transactions from 1 to 25 \(got 40\)/,
  },
];
