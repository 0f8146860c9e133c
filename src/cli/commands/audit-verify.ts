import { ExitCode } from '../../errors/steward-error.js';
import { auditVerify } from '../../workspace/audit-verify.js';
import type { Command } from '../command.js';
import { configFor } from '../config-for.js';
import { runOptionsFor } from '../run-options-for.js';

/** `steward audit verify`: walks the hash chain of the audit log and reports every break. */
export const auditVerifyCommand: Command = {
  path: ['audit', 'verify'],
  summary: "verify the audit log's hash chain: finds changed, removed and reordered records",
  description:
    "Reads the audit log page by page (memory stays flat) and checks every record's hash, every link\n" +
    'to the record before it, that no sequence number is missing, and that the chain ends at the head.\n' +
    'Exits 0 when the chain is whole, 1 when any record was changed, removed or reordered.',
  async run(ctx) {
    const config = await configFor(ctx);
    const result = await auditVerify(config, runOptionsFor(ctx));
    ctx.output.result(result);
    if (result.ok) {
      ctx.output.line(
        `audit log ok: ${result.checked} records, chain ends at seq ${result.tip.seq} (${result.tip.hash.slice(0, 12)})`,
      );
      return ExitCode.ok;
    }
    ctx.output.line(`audit log BROKEN: ${result.problemCount} problem(s) in ${result.checked} records`);
    for (const p of result.problems) ctx.output.line(`  seq ${p.seq}: ${p.kind}: ${p.message}`);
    return ExitCode.findings;
  },
};
