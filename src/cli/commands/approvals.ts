import { resolve } from 'node:path';
import { ExitCode, StewardError } from '../../errors/steward-error.js';
import { approvalsKeygen, approvalsList, approvalsSign } from '../../workspace/approvals.js';
import type { Command } from '../command.js';
import { configFor } from '../config-for.js';
import { runOptionsFor } from '../run-options-for.js';
import { approvalOptionHelp, approvalOptions, signerFromOptions } from '../signer-from-options.js';

/** `steward approvals keygen`: makes an approver's ed25519 key pair. */
export const approvalsKeygenCommand: Command = {
  path: ['approvals', 'keygen'],
  summary: "make an approver's key pair: <out>.key.pem (private) and <out>.pub.pem",
  usage: '--out <path-prefix>',
  description:
    'Writes <out>.key.pem (readable by you only, mode 0600: keep it to yourself) and <out>.pub.pem\n' +
    "(goes in the config's approvers). Never overwrites a file. Needs no config.",
  options: { out: { type: 'string' } },
  optionHelp: { out: 'where to write, without extension, such as keys/alice' },
  async run(ctx) {
    const out = ctx.options.out;
    if (typeof out !== 'string' || out === '')
      throw new StewardError('usage', 'name the files with --out, such as --out keys/alice');
    const files = approvalsKeygen({ out: resolve(ctx.cwd, out) });
    ctx.output.result(files);
    ctx.output.line(`private key: ${files.privateKey} (keep it secret)`);
    ctx.output.line(`public key:  ${files.publicKey}`);
    ctx.output.line(
      `add to the config: approvers: { <name>: { publicKey: '${out}.pub.pem', roles: ['owner'] } }`,
    );
    return ExitCode.ok;
  },
};

/** `steward approvals sign`: signs an approval of a subject and stores it in the ledger. */
export const approvalsSignCommand: Command = {
  path: ['approvals', 'sign'],
  summary: 'sign an approval of a plan hash and store it in the ledger',
  usage: '<subject> --kind K --key <file.key.pem> --approver NAME --role ROLE [--expires 24h]',
  description:
    'The subject is the hash a command asks approvals for (a repair plan, a migration plan).\n' +
    "Checks before storing: the approver is in the config's approvers, holds the role, the role counts\n" +
    "for the kind's policy, and the key is the approver's. The approval is ed25519-signed, insert-only\n" +
    'in the ledger, and audited. Kind "migrations" takes the rules of "steward migrate approve": the\n' +
    'subject must be <current plan hash>:<report hash of its latest dry run>, which passed.',
  options: { kind: { type: 'string' }, ...approvalOptions },
  optionHelp: { kind: 'what is approved: refs.delete-dependent, migrations...', ...approvalOptionHelp },
  async run(ctx) {
    const kind = ctx.options.kind;
    if (typeof kind !== 'string' || kind === '') throw new StewardError('usage', '--kind is required');
    const config = await configFor(ctx);
    const subject = ctx.positionals[0];
    if (!subject)
      throw new StewardError('usage', 'name the subject to approve: the plan hash the command printed');
    const request = { ...signerFromOptions(ctx), subject, kind };
    const { approval, ...stored } = await approvalsSign(config, request, runOptionsFor(ctx));
    ctx.output.result({ ...stored, approval });
    ctx.output.line(
      `${stored.status === 'recorded' ? 'approval recorded' : 'already recorded'}: ${stored.id}\n` +
        `  ${approval.approver} as ${approval.role} approves ${approval.subjectKind} ${approval.subject}, until ${approval.expiresAt}`,
    );
    return ExitCode.ok;
  },
};

/** `steward approvals list`: the stored approvals and whether each one verifies now. */
export const approvalsListCommand: Command = {
  path: ['approvals', 'list'],
  summary: 'list stored approvals and whether each verifies now',
  usage: '[--subject S]',
  options: { subject: { type: 'string' } },
  optionHelp: { subject: 'only approvals of this subject (plan hash)' },
  async run(ctx) {
    const config = await configFor(ctx);
    const subject = typeof ctx.options.subject === 'string' ? ctx.options.subject : undefined;
    const listed = await approvalsList(config, subject === undefined ? {} : { subject }, runOptionsFor(ctx));
    ctx.output.result(listed);
    if (listed.length === 0) ctx.output.line('no approvals');
    for (const a of listed)
      ctx.output.line(
        `${a.status.padEnd(16)} ${a.subjectKind} ${a.subject} by ${a.approver} as ${a.role}, ` +
          `signed ${a.signedAt}, expires ${a.expiresAt}  ${a.id}`,
      );
    return ExitCode.ok;
  },
};
