import { relative, resolve } from 'node:path';
import { formatCount } from '../../core/format-count.js';
import { ExitCode } from '../../errors/steward-error.js';
import type { DryRunReport } from '../../migrations/report/dry-run-report.js';
import { type DryRunProgress, migrateDryRun } from '../../workspace/migrations/migrate-dry-run.js';
import type { Command } from '../command.js';
import { configFor } from '../config-for.js';
import { intOption } from '../int-option.js';
import type { Output } from '../output.js';
import { runOptionsFor } from '../run-options-for.js';
import { toOption, toOptionHelp, toOptionSpec } from '../to-option.js';

/** `steward migrate dry-run`: runs the plan in sandboxes and writes the report approvers sign. */
export const migrateDryRunCommand: Command = {
  path: ['migrate', 'dry-run'],
  summary: 'run the plan in sandbox copies and write the report approvals sign',
  usage: '[--sample N] [--out DIR] [--to <id>]',
  description:
    'Copies every collection the plan rewrites (or, with --sample, a deterministic sample of at least\n' +
    'N documents chosen by key hash) into <ledger prefix>sandbox_<collection>, runs each migration\n' +
    'there: its before validators, up() on every document, its after validators and a check against\n' +
    "the contract's schema, and down(up(doc)) = doc when there is a down. Documents up() fails on are\n" +
    'reported with their key and reason. The sandboxes are dropped afterwards, also on failure; the\n' +
    'real collections are only read and nothing is marked applied.\n' +
    'Writes <plan-hash>.json and .md under .steward/reports (or --out), records the run in the ledger\n' +
    'as the latest dry run of the plan (only its report can be approved, and only if it passed), and\n' +
    'an audit record.\n' +
    'Exit 1 when a validator or a document failed, 0 otherwise.',
  options: {
    sample: { type: 'string' },
    out: { type: 'string' },
    ...toOptionSpec,
  },
  optionHelp: {
    sample: 'copy a sample of at least N documents per collection instead of everything',
    out: 'folder for the report (default .steward/reports next to the config)',
    ...toOptionHelp,
  },
  async run(ctx) {
    const sample = ctx.options.sample === undefined ? undefined : intOption(ctx, 'sample', 0, 1);
    const config = await configFor(ctx);
    const input = {
      ...toOption(ctx),
      ...(sample === undefined ? {} : { sample }),
      ...(typeof ctx.options.out === 'string' ? { reportsDir: resolve(ctx.cwd, ctx.options.out) } : {}),
    };
    const onProgress = (p: DryRunProgress) => ctx.output.progress(`  ${p.label}`, p.done, p.total, true);
    const result = await migrateDryRun(config, input, runOptionsFor(ctx, { onProgress }));
    if (!('report' in result)) {
      ctx.output.result(result);
      ctx.output.line('nothing pending: no dry run to do');
      return ExitCode.ok;
    }
    ctx.output.endProgress();
    const { report, ...files } = result;
    ctx.output.result({ ...files, report });
    render(ctx.output, report, files, ctx.cwd);
    return report.ok ? ExitCode.ok : ExitCode.findings;
  },
};

function render(
  output: Output,
  report: DryRunReport,
  files: { json: string; markdown: string; hash: string },
  cwd: string,
): void {
  output.line(`dry run of plan ${report.planHash}: ${report.ok ? 'passed' : 'FAILED'}`);
  for (const m of report.migrations) {
    output.line(`  ${m.id}: ${m.ok ? 'passed' : 'FAILED'}`);
    for (const c of m.collections) {
      output.line(
        `    ${c.collection}: ${formatCount(c.changed)} changed, ${formatCount(c.unchanged)} unchanged, ${formatCount(c.failed)} failed`,
      );
      listed(
        output,
        c.failures.map((f) => `${JSON.stringify(f.key)}: ${f.reason}`),
        '      ',
        c.failed,
      );
    }
    for (const v of [...m.validators.before, ...m.validators.after].filter((v) => !v.ok)) {
      output.line(`    validator ${v.name} FAILED: ${v.message}`);
      listed(
        output,
        v.problems.filter((p) => p !== v.message),
        '      ',
      );
    }
    if (m.roundTrip && m.roundTrip.mismatched > 0)
      output.line(
        `    down(up(doc)) differs on ${formatCount(m.roundTrip.mismatched)} of ${formatCount(m.roundTrip.checked)} documents`,
      );
  }
  output.line(
    `throughput ${formatCount(report.throughput.perSecond)} documents/s; the full run (~${formatCount(report.estimate.documents)} documents) would take about ${Math.ceil(report.estimate.seconds)} s`,
  );
  if (report.eta)
    output.line(
      `ETA of the real apply: about ${Math.ceil(report.eta.seconds)} s (likely ${Math.floor(report.eta.low)}-${Math.ceil(report.eta.high)} s; the method is in the report)`,
    );
  output.line(`report: ${relative(cwd, files.markdown)} (hash ${files.hash})`);
  if (report.ok)
    output.line(
      `next: steward migrate approve ${report.planHash} --key <your.key.pem> --approver <name> --role <role>`,
    );
}

/** Problems shown per failing collection or validator; the rest are counted and are in the report. */
const shownProblems = 5;

/**
 * A bounded list of failing documents (or problems), each on its own line, then how many more
 * there are: `total` when the list holds only the first of them.
 */
function listed(output: Output, items: readonly string[], indent: string, total = items.length): void {
  for (const item of items.slice(0, shownProblems)) output.line(`${indent}${item}`);
  const rest = total - Math.min(items.length, shownProblems);
  if (rest > 0) output.line(`${indent}... and ${rest} more in the report`);
}
