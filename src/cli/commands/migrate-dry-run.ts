import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { relative, resolve } from 'node:path';
import { ExitCode, StewardError } from '../../errors/steward-error.js';
import { LeaseKeeper } from '../../integrity/scan/lease-keeper.js';
import { systemClock } from '../../ledger/clock.js';
import { documentCollections } from '../../migrations/apply/migration-collections.js';
import { type DryRunTarget, runDryRun } from '../../migrations/dry-run/run-dry-run.js';
import { recordDryRun } from '../../migrations/report/dry-run-record.js';
import type { DryRunReport } from '../../migrations/report/dry-run-report.js';
import { defaultReportsDir, writeDryRunReport } from '../../migrations/report/report-files.js';
import type { Command } from '../command.js';
import { ensureOutDir, unwritable } from '../out-file.js';
import type { Output } from '../output.js';
import { intOption } from '../with-stores.js';
import { type MigrationsRun, withMigrations } from './migrate-plan.js';

/** The lease a dry run holds: two dry runs at once would share their sandboxes. */
const dryRunLease = 'migrate.dry-run';
const leaseTtlMs = 60_000;

/** `steward migrate dry-run`: runs the plan in sandboxes and writes the report approvers sign. */
export const migrateDryRunCommand: Command = {
  path: ['migrate', 'dry-run'],
  summary: 'run the plan in sandbox copies and write the report approvals sign',
  usage: '[--sample N] [--out DIR]',
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
  },
  optionHelp: {
    sample: 'copy a sample of at least N documents per collection instead of everything',
    out: 'folder for the report (default .steward/reports next to the config)',
  },
  async run(ctx) {
    const sample = ctx.options.sample === undefined ? undefined : intOption(ctx, 'sample', 0, 1);
    return withMigrations(ctx, async (run) => {
      const { plan, state } = await run.loadPlan();
      if (plan.migrations.length === 0) {
        ctx.output.result({ planHash: plan.hash, pending: 0 });
        ctx.output.line('nothing pending: no dry run to do');
        return ExitCode.ok;
      }
      const dir =
        typeof ctx.options.out === 'string'
          ? resolve(ctx.cwd, ctx.options.out)
          : resolve(run.projectDir, defaultReportsDir);
      ensureOutDir(dir);
      const report = await underLease(run, (heartbeat) =>
        runDryRun({
          planHash: plan.hash,
          migrations: state.pending,
          targets: targets(run, state.pending.flatMap(documentCollections)),
          otherCollection: (name) => collectionOf(run, name),
          contracts: state.contracts,
          sandboxPrefix: run.config.ledger.prefix,
          ...(sample === undefined ? {} : { sample }),
          batchSize: run.config.migrations.batchSize,
          heartbeat,
          onProgress: (label, done) => ctx.output.progress(label, done, undefined),
        }),
      );
      ctx.output.endProgress();
      const files = writeReport(report, dir);
      await recordDryRun(run.ledger, report, files);
      ctx.output.result({ ...files, report });
      render(ctx.output, report, files, ctx.cwd);
      return report.ok ? ExitCode.ok : ExitCode.findings;
    });
  },
};

/** Runs the dry run under its lease, renewed between batches, and releases it afterwards. */
async function underLease<T>(
  run: MigrationsRun,
  work: (heartbeat: () => Promise<void>) => Promise<T>,
): Promise<T> {
  const holder = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const lease = await run.ledger.acquireLease({ name: dryRunLease, holder, ttlMs: leaseTtlMs });
  const keeper = new LeaseKeeper(lease, leaseTtlMs, systemClock);
  try {
    return await work(() => keeper.renewIfDue());
  } finally {
    await lease.release().catch(() => undefined);
  }
}

function targets(run: MigrationsRun, names: readonly string[]): Map<string, DryRunTarget> {
  const out = new Map<string, DryRunTarget>();
  for (const name of new Set(names)) {
    const c = run.config.collections.get(name);
    if (!c) throw unknown(run, name);
    out.set(name, {
      name,
      storeName: c.store,
      store: run.storeFor(c.store),
      spec: c.spec,
      versionField: c.versionField,
    });
  }
  return out;
}

function collectionOf(run: MigrationsRun, name: string) {
  const c = run.config.collections.get(name);
  if (!c) throw unknown(run, name);
  return run.storeFor(c.store).collection(c.spec);
}

function unknown(run: MigrationsRun, name: string): StewardError {
  return new StewardError(
    'collection.unknown',
    `collection "${name}" is not declared in ${run.config.file ?? 'the config'}`,
    {
      collection: name,
    },
  );
}

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
      output.line(`    ${c.collection}: ${c.changed} changed, ${c.unchanged} unchanged, ${c.failed} failed`);
      for (const f of c.failures.slice(0, 5)) output.line(`      ${JSON.stringify(f.key)}: ${f.reason}`);
      if (c.failed > 5) output.line(`      ... ${c.failed - 5} more in the report`);
    }
    for (const v of [...m.validators.before, ...m.validators.after].filter((v) => !v.ok))
      output.line(`    validator ${v.name} FAILED: ${v.message}${v.problems[0] ? `; ${v.problems[0]}` : ''}`);
    if (m.roundTrip && m.roundTrip.mismatched > 0)
      output.line(
        `    down(up(doc)) differs on ${m.roundTrip.mismatched} of ${m.roundTrip.checked} documents`,
      );
  }
  output.line(
    `throughput ${report.throughput.perSecond} documents/s; the full run (~${report.estimate.documents} documents) would take about ${Math.ceil(report.estimate.seconds)} s`,
  );
  output.line(`report: ${relative(cwd, files.markdown)} (hash ${files.hash})`);
  if (report.ok)
    output.line(
      `next: steward migrate approve ${report.planHash} --key <your.key.pem> --approver <name> --role <role>`,
    );
}

/** Writes the report; a file that cannot be written is a clear error naming it (see `out-file.ts`). */
function writeReport(report: DryRunReport, dir: string): ReturnType<typeof writeDryRunReport> {
  try {
    return writeDryRunReport(report, dir);
  } catch (error) {
    throw unwritable(dir, error);
  }
}
