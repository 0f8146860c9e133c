/**
 * The faces stand on the library layer: no command imports another command, and neither the CLI
 * nor the demo opens a store or the ledger itself (they call `src/workspace/`, the one place that
 * does). Checked on the source's import statements, so it needs no store.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';

const src = join(import.meta.dirname, '../../src');

/** Every `.ts` file under a folder of src/, with the modules it imports values from. */
function imports(folder: string): { file: string; modules: string[]; typeOnly: string[] }[] {
  const dir = join(src, folder);
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => {
      const text = readFileSync(join(dir, f), 'utf8');
      const all = [...text.matchAll(/^(?:import|export)( type)? [^;]*? from '([^']+)';/gms)];
      return {
        file: relative(src, join(dir, f)),
        modules: all.filter((m) => !m[1]).map((m) => m[2]!),
        typeOnly: all.filter((m) => m[1]).map((m) => m[2]!),
      };
    });
}

test('no command imports another command: shared code sits in src/workspace/ or src/cli/', () => {
  const offenders = imports('cli/commands')
    .filter(({ file }) => file !== join('cli', 'commands', 'index.ts')) // the registry lists them all
    .flatMap(({ file, modules, typeOnly }) =>
      [...modules, ...typeOnly].filter((m) => m.startsWith('./')).map((m) => `${file} imports ${m}`),
    );
  assert.deepEqual(offenders, []);
});

test('neither the CLI nor the demo opens a store or the ledger: only the library layer does', () => {
  const opening = [
    /\/stores\/open-store\.js$/,
    /\/ledger\/ledger\.js$/,
    /\/stores\/(sqlite|mongodb|dynamodb)\//,
  ];
  const offenders = [...imports('cli'), ...imports('demo')].flatMap(({ file, modules }) =>
    modules.filter((m) => opening.some((p) => p.test(m))).map((m) => `${file} imports ${m}`),
  );
  assert.deepEqual(offenders, []);
});

test('nothing outside src/ledger/ reaches into the ledger namespace', () => {
  const offenders = readdirSync(src, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.startsWith(`ledger${'/'}`))
    .filter((f) =>
      /\.namespace\b|ensureCollection\(\s*\w+\.namespace|import \{[^}]*\} from '[./]*ledger\/ledger-namespace\.js'/.test(
        readFileSync(join(src, f), 'utf8'),
      ),
    );
  assert.deepEqual(offenders, []);
});
