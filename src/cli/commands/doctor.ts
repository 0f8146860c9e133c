import { ExitCode } from '../../errors/steward-error.js';
import { doctor, type LedgerCheck } from '../../workspace/doctor.js';
import type { Command } from '../command.js';
import { configFor } from '../config-for.js';

/** `steward doctor`: can every configured store be reached, which versions are they, is the ledger whole? */
export const doctorCommand: Command = {
  path: ['doctor'],
  summary: 'check each store answers (product, version, latency) and the ledger is whole',
  description:
    'Reads only: it opens each store, asks for its version, and verifies the audit log when the ledger exists.\n' +
    'Exits 0 when all is well, 1 when the audit log is broken (changed, cut short or deleted records),\n' +
    '3 when a store cannot be reached or the ledger holds a document it cannot read.',
  async run(ctx) {
    const config = await configFor(ctx);
    const report = await doctor(config);
    const { stores: checks, ledger } = report;
    ctx.output.result(report);
    ctx.output.line(`config: ${config.file}`);
    for (const c of checks) {
      ctx.output.line(
        c.ok
          ? `  ok    ${c.store} (${c.kind}): ${c.product} ${c.version}, answered in ${c.latencyMs} ms`
          : `  FAIL  ${c.store} (${c.kind}): ${c.error}`,
      );
    }
    ctx.output.line(`ledger in "${ledger.store}": ${describeLedger(ledger)}`);
    for (const p of ledger.firstProblems ?? []) ctx.output.line(`  seq ${p.seq}: ${p.kind}: ${p.message}`);
    if (ledger.state === 'unreadable') ctx.output.error(`the ledger could not be read: ${ledger.error}`);
    if (!checks.every((c) => c.ok) || ledger.state === 'unreadable') return ExitCode.unreachable;
    return ledger.state === 'broken' ? ExitCode.findings : ExitCode.ok;
  },
};

function describeLedger(ledger: LedgerCheck): string {
  switch (ledger.state) {
    case 'ok':
      return `ok, audit log of ${ledger.auditRecords} records verified`;
    case 'not-created':
      return 'not created yet (the first job creates it)';
    case 'broken':
      if (ledger.error) return `BROKEN: ${ledger.error}`;
      return `BROKEN: ${ledger.problems} problem(s) in the audit log; run "steward audit verify" for details`;
    case 'unreadable':
      return `UNREADABLE: ${ledger.error}`;
    case 'unreachable':
      return 'not checked: its store did not answer';
  }
}
