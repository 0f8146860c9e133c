import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import type { ExitCodeCase } from '../exit-code-case.js';

const sqliteConfig = (dir: string) =>
  writeFileSync(
    join(dir, 'steward.config.ts'),
    `import { defineConfig } from 'steward';\nexport default defineConfig({ stores: { main: { kind: 'sqlite', file: 'app.sqlite' } } });\n`,
  );

/** A port something else listens on while `steward serve` tries it. */
let occupied: Server | undefined;
let occupiedPort = 0;

export const cases: ExitCodeCase[] = [
  {
    name: 'steward serve on a port in use',
    prepare: async (dir) => {
      sqliteConfig(dir);
      occupied = createServer();
      await new Promise<void>((resolve) => occupied!.listen(0, '127.0.0.1', resolve));
      const address = occupied.address();
      occupiedPort = typeof address === 'object' && address ? address.port : 0;
    },
    args: () => ['serve', '--port', String(occupiedPort)],
    code: 2,
    stderr: /cannot listen on 127\.0\.0\.1:\d+: the port is in use/,
    after: () => new Promise<void>((resolve) => (occupied ? occupied.close(() => resolve()) : resolve())),
  },
  {
    name: 'steward serve with a port past 65535',
    prepare: sqliteConfig,
    args: ['serve', '--port', '70000'],
    code: 2,
    stderr: /--port must be at most 65535/,
  },
  {
    name: 'steward tokens create with an unknown role',
    prepare: sqliteConfig,
    args: ['tokens', 'create', '--name', 'ci', '--role', 'superuser'],
    code: 2,
    stderr: /role "superuser" is not one of/,
  },
  {
    name: 'steward tokens create with an expiry that is not a duration',
    prepare: sqliteConfig,
    args: ['tokens', 'create', '--name', 'ci', '--role', 'viewer', '--expires', 'soon'],
    code: 2,
    stderr: /--expires "soon" is not a duration/,
  },
  {
    name: 'steward tokens create with a lifetime past a year',
    prepare: sqliteConfig,
    args: ['tokens', 'create', '--name', 'ci', '--role', 'viewer', '--expires', '400d'],
    code: 2,
    stderr: /at most 366 days/,
  },
  {
    name: 'steward tokens revoke of a token that does not exist',
    prepare: sqliteConfig,
    args: ['tokens', 'revoke', 'nobody'],
    code: 2,
    stderr: /no live token named "nobody"/,
  },
];
