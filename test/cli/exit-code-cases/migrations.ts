import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateApproverKeys } from '../../../src/approvals/approval-keys.js';
import type { ExitCodeCase } from '../exit-code-case.js';

/** A SQLite project whose approvers are alice and bob; with `sharedKey`, bob's key is alice's. */
function approversProject(sharedKey: boolean) {
  return (dir: string) => {
    const alice = generateApproverKeys();
    const bob = sharedKey ? alice : generateApproverKeys();
    writeFileSync(join(dir, 'alice.key.pem'), alice.privateKeyPem);
    writeFileSync(join(dir, 'alice.pub.pem'), alice.publicKeyPem);
    writeFileSync(join(dir, 'bob.pub.pem'), bob.publicKeyPem);
    writeFileSync(
      join(dir, 'steward.config.ts'),
      `import { defineConfig } from 'steward';
export default defineConfig({
  stores: { main: { kind: 'sqlite', file: 'app.sqlite' } },
  approvers: {
    alice: { publicKey: 'alice.pub.pem', roles: ['owner'] },
    bob: { publicKey: 'bob.pub.pem', roles: ['dba'] },
  },
  approvalPolicies: { migrations: { required: 2 } },
});
`,
    );
  };
}

const nothingWritten = (dir: string) => {
  if (existsSync(join(dir, 'app.sqlite'))) throw new Error('the store was opened and written');
};

export const cases: ExitCodeCase[] = [
  {
    name: 'an approval that would count for 27 billion years (--expires 9999999999999d)',
    prepare: approversProject(false),
    args: [
      'approvals',
      'sign',
      'a'.repeat(64),
      '--kind',
      'refs.delete-dependent',
      '--key',
      'alice.key.pem',
      '--approver',
      'alice',
      '--role',
      'owner',
      '--expires',
      '9999999999999d',
    ],
    code: 2,
    stderr:
      /--expires 9999999999999d is out of range: an approval counts for more than 0 and at most 366 days/,
    after: nothingWritten,
  },
  {
    name: 'an approval that has expired when signed (--expires 0m)',
    prepare: approversProject(false),
    args: [
      'approvals',
      'sign',
      'a'.repeat(64),
      '--kind',
      'refs.delete-dependent',
      '--key',
      'alice.key.pem',
      '--approver',
      'alice',
      '--role',
      'owner',
      '--expires',
      '0m',
    ],
    code: 2,
    stderr: /--expires 0m is out of range/,
    after: nothingWritten,
  },
  {
    name: 'two approvers sharing one public key',
    prepare: approversProject(true),
    args: ['approvals', 'list'],
    code: 2,
    stderr:
      /approvers\.bob\.publicKey: is the same key as approvers\.alice\.publicKey: alice and bob would be one signer/,
    after: nothingWritten,
  },
];
