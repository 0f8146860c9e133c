import { resolve } from 'node:path';
import { ExitCode, StewardError } from '../../errors/steward-error.js';
import { migrateApprove } from '../../workspace/migrations/migrate-approve.js';
import type { Command } from '../command.js';
import { configFor } from '../config-for.js';
import { runOptionsFor } from '../run-options-for.js';
import { approvalOptionHelp, approvalOptions, signerFromOptions } from '../signer-from-options.js';

/** `steward migrate approve <plan-hash>`: signs the plan and its dry-run report. */
export const migrateApproveCommand: Command = {
  path: ['migrate', 'approve'],
  summary: 'sign the current plan and its dry-run report with your approver key',
  usage: '<plan-hash> --key <file.key.pem> --approver NAME --role ROLE [--report FILE] [--expires 24h]',
  description:
    'Signs {plan hash, dry-run report hash} as an approval of kind "migrations" (ed25519, see\n' +
    '"steward approvals keygen"), stores it insert-only in the ledger and audits it, then says\n' +
    'whether the approvals now meet approvalPolicies.migrations. Refuses when <plan-hash> is not the\n' +
    'current plan (a migration, the store or an option changed: plan again), when there is no\n' +
    'dry-run report for it (.steward/reports/<plan-hash>.json, or --report), when that report is not\n' +
    'the latest dry run of the plan the ledger recorded, or when the dry run failed.',
  options: { ...approvalOptions, report: { type: 'string' } },
  optionHelp: {
    ...approvalOptionHelp,
    report: 'the dry-run report you read (default .steward/reports/<plan-hash>.json)',
  },
  async run(ctx) {
    const wanted = ctx.positionals[0];
    if (!wanted)
      throw new StewardError('usage', 'name the plan hash to approve, as "steward migrate plan" printed it');
    const config = await configFor(ctx);
    const signer = signerFromOptions(ctx);
    const reportFile =
      typeof ctx.options.report === 'string' ? resolve(ctx.cwd, ctx.options.report) : undefined;
    const input = { planHash: wanted, signer, ...(reportFile === undefined ? {} : { reportFile }) };
    const { quorumProblems, ...result } = await migrateApprove(config, input, runOptionsFor(ctx));
    const { approval, reportHash: hash, quorum: status } = result;
    ctx.output.result(result);
    ctx.output.line(
      `${result.status === 'recorded' ? 'approved' : 'already approved'}: ${approval.approver} as ${approval.role}, until ${approval.expiresAt}`,
    );
    ctx.output.line(`  plan ${wanted}\n  dry-run report ${hash}`);
    ctx.output.line(
      status.ok
        ? `the approvals meet the policy (${status.approvedBy.join(', ')}): next, steward migrate apply`
        : `not enough yet: ${quorumProblems.join('; ')}`,
    );
    return ExitCode.ok;
  },
};
