import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Approval } from '../../approvals/approval.js';
import {
  generateApproverKeys,
  keyMatches,
  parsePrivateKey,
  signApproval,
} from '../../approvals/approval-keys.js';
import { listApprovals, recordApproval } from '../../approvals/approval-ledger.js';
import { verifyApprovals } from '../../approvals/verify-approvals.js';
import { parseDuration } from '../../config/resolve-references.js';
import type { ResolvedConfig } from '../../config/resolved-config.js';
import { ExitCode, StewardError } from '../../errors/steward-error.js';
import type { Command, CommandContext } from '../command.js';
import { withLedger } from '../with-ledger.js';
import { configFor } from '../with-stores.js';

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
    const keys = generateApproverKeys();
    const privateFile = resolve(ctx.cwd, `${out}.key.pem`);
    const publicFile = resolve(ctx.cwd, `${out}.pub.pem`);
    writeNew(publicFile, keys.publicKeyPem, 0o644);
    writeNew(privateFile, keys.privateKeyPem, 0o600);
    ctx.output.result({ privateKey: privateFile, publicKey: publicFile });
    ctx.output.line(`private key: ${privateFile} (keep it secret)`);
    ctx.output.line(`public key:  ${publicFile}`);
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
    'in the ledger, and audited.',
  options: {
    kind: { type: 'string' },
    key: { type: 'string' },
    approver: { type: 'string' },
    role: { type: 'string' },
    expires: { type: 'string', default: '24h' },
  },
  optionHelp: {
    kind: 'what is approved: refs.delete-dependent, migrations...',
    key: 'your private key file from "steward approvals keygen"',
    approver: 'your name in the config approvers',
    role: 'the role you sign in',
    expires: 'how long the approval counts: 30m, 24h, 7d (default 24h)',
  },
  async run(ctx) {
    const config = await configFor(ctx);
    const approval = signFromOptions(ctx, config);
    return withLedger(ctx, config, async (ledger) => {
      const stored = await recordApproval(ledger, approval, new Date().toISOString());
      ctx.output.result({ ...stored, approval });
      ctx.output.line(
        `${stored.status === 'recorded' ? 'approval recorded' : 'already recorded'}: ${stored.id}\n` +
          `  ${approval.approver} as ${approval.role} approves ${approval.subjectKind} ${approval.subject}, until ${approval.expiresAt}`,
      );
      return ExitCode.ok;
    });
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
    return withLedger(ctx, config, async (ledger) => {
      const approvals = await listApprovals(ledger, subject === undefined ? {} : { subject });
      const now = Date.now();
      const listed = approvals.map((a) => ({ ...a, status: statusOf(a, config, now) }));
      ctx.output.result(listed);
      if (listed.length === 0) ctx.output.line('no approvals');
      for (const a of listed)
        ctx.output.line(
          `${a.status.padEnd(16)} ${a.subjectKind} ${a.subject} by ${a.approver} as ${a.role}, ` +
            `signed ${a.signedAt}, expires ${a.expiresAt}  ${a.id}`,
        );
      return ExitCode.ok;
    });
  },
};

/** Whether one approval would count today, ignoring quorum: `valid` or the reason it would not. */
function statusOf(approval: Approval, config: ResolvedConfig, now: number): string {
  const check = verifyApprovals({
    subject: approval.subject,
    approvals: [approval],
    policy: { required: 1 },
    approvers: config.approvers,
    now,
  });
  return check.ok ? 'valid' : (check.problems[0]?.code ?? 'invalid');
}

const subjectPattern = /^[A-Za-z0-9][A-Za-z0-9:._-]{7,199}$/;

function signFromOptions(ctx: CommandContext, config: ResolvedConfig): Approval {
  const subject = ctx.positionals[0];
  if (!subject || !subjectPattern.test(subject))
    throw new StewardError('usage', 'name the subject to approve: the plan hash the command printed');
  const [kind, keyFile, name, role] = (['kind', 'key', 'approver', 'role'] as const).map((o) => {
    const value = ctx.options[o];
    if (typeof value !== 'string' || value === '') throw new StewardError('usage', `--${o} is required`);
    return value;
  }) as [string, string, string, string];
  const where = config.file ?? 'the config';
  const approver = config.approvers.get(name);
  if (!approver) {
    const known = [...config.approvers.keys()].join(', ') || 'none';
    throw new StewardError('usage', `"${name}" is not among the approvers in ${where} (known: ${known})`);
  }
  if (!approver.roles.includes(role))
    throw new StewardError(
      'usage',
      `${name} does not hold role "${role}" in ${where} (roles: ${approver.roles.join(', ')})`,
    );
  const allowed = config.approvalPolicies.get(kind)?.roles;
  if (allowed && !allowed.includes(role))
    throw new StewardError(
      'usage',
      `role "${role}" does not count for ${kind} (approvalPolicies.${kind}.roles: ${allowed.join(', ')})`,
    );
  const expiresMs = parseDuration(String(ctx.options.expires));
  if (expiresMs === undefined)
    throw new StewardError(
      'usage',
      `--expires must be a duration such as 30m, 24h or 7d (got "${String(ctx.options.expires)}")`,
    );
  const path = resolve(ctx.cwd, keyFile);
  const privateKey = parsePrivateKey(readKeyFile(path), path);
  if (!keyMatches(privateKey, approver.publicKeyPem))
    throw new StewardError(
      'usage',
      `${path} is not ${name}'s key: it does not match approvers.${name}.publicKey in ${where}`,
    );
  const now = Date.now();
  const fields = {
    subject,
    subjectKind: kind,
    approver: name,
    role,
    signedAt: new Date(now).toISOString(),
    expiresAt: new Date(now + expiresMs).toISOString(),
  };
  return signApproval(fields, privateKey);
}

function readKeyFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new StewardError(
      'input.invalid',
      `cannot read the key file ${path}: ${(error as NodeJS.ErrnoException).code}`,
    );
  }
}

function writeNew(path: string, text: string, mode: number): void {
  try {
    writeFileSync(path, text, { mode, flag: 'wx' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST')
      throw new StewardError('usage', `${path} exists already; choose another --out or move it away`);
    throw new StewardError('input.invalid', `cannot write ${path}: ${code ?? (error as Error).message}`);
  }
}
