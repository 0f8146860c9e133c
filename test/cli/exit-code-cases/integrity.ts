import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openLedger } from '../../../src/ledger/ledger.js';
import { openStore } from '../../../src/stores/open-store.js';
import type { ExitCodeCase } from '../exit-code-case.js';

/** A SQLite project with three profiles pointing at accounts, one of them gone. */
async function profilesProject(dir: string): Promise<void> {
  writeFileSync(
    join(dir, 'steward.config.ts'),
    `import { defineConfig } from 'steward';\nexport default defineConfig({ stores: { main: { kind: 'sqlite', file: 'app.sqlite' } }, collections: { accounts: {}, profiles: {} }, references: { 'profiles.accountId': { target: 'accounts', onMissing: 'nullify' } } });\n`,
  );
  const store = await openStore({ kind: 'sqlite', file: join(dir, 'app.sqlite') });
  try {
    for (const name of ['accounts', 'profiles']) await store.ensureCollection({ name, keyField: 'id' });
    await store
      .collection({ name: 'accounts', keyField: 'id' })
      .write([{ type: 'insert', doc: { id: 'a1' } }]);
    await store.collection({ name: 'profiles', keyField: 'id' }).write(
      ['a1', 'a1', 'gone'].map((accountId, n) => ({
        type: 'insert' as const,
        doc: { id: `p${n}`, accountId },
      })),
    );
  } finally {
    await store.close();
  }
}

/** The scan's checkpoint, read as `steward` would on resume. */
async function scanCheckpoint(dir: string) {
  const store = await openStore({ kind: 'sqlite', file: join(dir, 'app.sqlite') });
  try {
    const ledger = await openLedger(store, { actor: 'test' });
    return await ledger.checkpoints.load('refs-scan:profiles.accountId:0/1');
  } finally {
    await store.close();
  }
}

export const cases: ExitCodeCase[] = [
  {
    name: 'refs scan --rate 0.0001 stops at SIGTERM: checkpointed, says how to resume, exit 130',
    prepare: profilesProject,
    // One document per batch at 0.0001 documents per second: a wait of hours after the first batch.
    args: ['refs', 'scan', '--rate', '0.0001', '--batch', '1'],
    // Late enough for the first batch to be checked under load; the wait after it is hours long.
    sigtermAfterMs: 15_000,
    timeoutMs: 45_000,
    code: 130,
    stderr:
      /profiles\.accountId: scan interrupted after 1 documents, checkpoint saved; run the same command again to resume/,
    async after(dir) {
      const checkpoint = await scanCheckpoint(dir);
      if (!checkpoint) throw new Error('no checkpoint was saved');
    },
  },
  {
    name: 'refs repair --undo of a run that does not exist',
    prepare: profilesProject,
    args: ['refs', 'repair', '--undo', 'rr-nope'],
    code: 2,
    stderr: /no before-image of repair run "rr-nope"/,
  },
  {
    name: 'refs repair --undo with references named',
    prepare: profilesProject,
    args: ['refs', 'repair', 'profiles.accountId', '--undo', 'rr-x'],
    code: 2,
    stderr: /--undo takes one run id .* and no references/,
  },
];
