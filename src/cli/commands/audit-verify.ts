import { formatCount } from '../../core/format-count.js';
import { ExitCode } from '../../errors/steward-error.js';
import { shortHash } from '../../ledger/audit-chain.js';
import { parseAuditHead, recordedHead } from '../../ledger/audit-head-ref.js';
import { auditVerify } from '../../workspace/audit-verify.js';
import type { Command } from '../command.js';
import { configFor } from '../config-for.js';
import { runOptionsFor } from '../run-options-for.js';

/** `steward audit verify`: walks the hash chain of the audit log and reports every break. */
export const auditVerifyCommand: Command = {
  path: ['audit', 'verify'],
  summary: "verify the audit log's hash chain: finds changed, removed, reordered and cut-off records",
  usage: '[--expect-head <seq>:<hash>]',
  description:
    "Reads the audit log page by page (memory stays flat) and checks every record's hash, every link\n" +
    'to the record before it, that no sequence number is missing, that the chain ends at the head,\n' +
    'and that it still holds the heads steward recorded apart from it (the audit head witness, each\n' +
    "job's checkpoint): a log cut short or deleted whole fails. Prints the head, <seq>:<hash>: keep it\n" +
    'outside the store (a ticket, a release note) and pass it later as --expect-head, which fails\n' +
    'unless the log still holds that record with that hash (it may have grown since).\n' +
    'Exits 0 when the chain is whole, 1 when any record was changed, removed or reordered.',
  options: { 'expect-head': { type: 'string' } },
  optionHelp: { 'expect-head': 'a head kept elsewhere, <seq>:<hash>, that the log must still hold' },
  async run(ctx) {
    const expect = ctx.options['expect-head'];
    const expected =
      typeof expect === 'string'
        ? recordedHead(parseAuditHead(expect, '--expect-head'), '--expect-head')
        : undefined;
    const config = await configFor(ctx);
    const result = await auditVerify(config, expected ? { expectHead: expected } : {}, runOptionsFor(ctx));
    const { auditHead } = result;
    ctx.output.result(result);
    if (result.ok) {
      ctx.output.line(
        `audit log ok: ${formatCount(result.checked)} records, chain ends at seq ${result.tip.seq} (${shortHash(result.tip.hash)})`,
      );
      if (expected) ctx.output.line(`it holds the expected head seq ${expected.seq}`);
      ctx.output.line(`audit head: ${auditHead}`);
      return ExitCode.ok;
    }
    ctx.output.line(
      `audit log BROKEN: ${formatCount(result.problemCount)} problem(s) in ${formatCount(result.checked)} records`,
    );
    for (const p of result.problems) ctx.output.line(`  seq ${p.seq}: ${p.kind}: ${p.message}`);
    ctx.output.line(`the log ends at: ${auditHead}`);
    return ExitCode.findings;
  },
};
