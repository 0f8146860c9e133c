import { resolve } from 'node:path';
import type { Approval } from '../../approvals/approval.js';
import { generateApproverKeys } from '../../approvals/approval-keys.js';
import {
  listApprovals,
  recordApproval,
  type StoredApproval,
  usesOf,
} from '../../approvals/approval-ledger.js';
import { verifyApprovals } from '../../approvals/verify-approvals.js';
import type { ResolvedConfig } from '../../config/resolved-config.js';
import { ExitCode, StewardError } from '../../errors/steward-error.js';
import type { Ledger } from '../../ledger/ledger.js';
import { assertMigrationSubject, migrationsApprovalKind } from '../../migrations/plan/plan-approvals.js';
import { approvalFromOptions, approvalOptionHelp, approvalOptions } from '../approval-from-options.js';
import type { Command, CommandContext } from '../command.js';
import { writeOutFile } from '../out-file.js';
import { withLedger } from '../with-ledger.js';
import { configFor } from '../with-stores.js';
import { withMigrations } from './migrate-plan.js';

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
    'in the ledger, and audited. Kind "migrations" takes the rules of "steward migrate approve": the\n' +
    'subject must be <current plan hash>:<report hash of its latest dry run>, which passed.',
  options: { kind: { type: 'string' }, ...approvalOptions },
  optionHelp: { kind: 'what is approved: refs.delete-dependent, migrations...', ...approvalOptionHelp },
  async run(ctx) {
    if (kindOption(ctx) === migrationsApprovalKind)
      return withMigrations(ctx, async (run) => {
        const { plan } = await run.loadPlan();
        await assertMigrationSubject(run.ledger, subjectOption(ctx), plan.hash);
        return store(ctx, run.ledger, signFromOptions(ctx, run.config));
      });
    const config = await configFor(ctx);
    const approval = signFromOptions(ctx, config);
    return withLedger(ctx, config, (ledger) => store(ctx, ledger, approval));
  },
};

async function store(ctx: CommandContext, ledger: Ledger, approval: Approval): Promise<ExitCode> {
  const stored = await recordApproval(ledger, approval, new Date().toISOString());
  ctx.output.result({ ...stored, approval });
  ctx.output.line(
    `${stored.status === 'recorded' ? 'approval recorded' : 'already recorded'}: ${stored.id}\n` +
      `  ${approval.approver} as ${approval.role} approves ${approval.subjectKind} ${approval.subject}, until ${approval.expiresAt}`,
  );
  return ExitCode.ok;
}

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

/**
 * Whether one approval would count today, ignoring quorum: `valid`, `used` (a run used it up), or
 * the reason it would not.
 */
function statusOf(approval: StoredApproval, config: ResolvedConfig, now: number): string {
  const check = verifyApprovals({
    subject: approval.subject,
    approvals: [approval],
    policy: { required: 1 },
    approvers: config.approvers,
    now,
    uses: usesOf([approval]),
  });
  return check.ok ? 'valid' : (check.problems[0]?.code ?? 'invalid');
}

const subjectPattern = /^[A-Za-z0-9][A-Za-z0-9:._-]{7,199}$/;

function signFromOptions(ctx: CommandContext, config: ResolvedConfig): Approval {
  return approvalFromOptions(ctx, config, { subject: subjectOption(ctx), kind: kindOption(ctx) });
}

function subjectOption(ctx: CommandContext): string {
  const subject = ctx.positionals[0];
  if (!subject || !subjectPattern.test(subject))
    throw new StewardError('usage', 'name the subject to approve: the plan hash the command printed');
  return subject;
}

function kindOption(ctx: CommandContext): string {
  const kind = ctx.options.kind;
  if (typeof kind !== 'string' || kind === '') throw new StewardError('usage', '--kind is required');
  return kind;
}

function writeNew(path: string, text: string, mode: number): void {
  writeOutFile(path, text, { mode, flag: 'wx' });
}
