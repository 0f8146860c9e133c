import type { ResolvedConfig } from '../../config/resolved-config.js';
import { formatCount } from '../../core/format-count.js';
import { ExitCode } from '../../errors/steward-error.js';
import { type CollectionCheck, doctor, type LedgerCheck, type StoreCheck } from '../../workspace/doctor.js';
import type { Command } from '../command.js';
import { configFor } from '../config-for.js';

/** `steward doctor`: can every configured store be reached, which versions are they, is the ledger whole? */
export const doctorCommand: Command = {
  path: ['doctor'],
  summary:
    'check each store answers (product, version, latency), declared collections exist, the ledger is whole',
  description:
    'Reads only: it opens each store, asks for its version, checks that every declared collection exists\n' +
    '(SQLite table, MongoDB collection, DynamoDB table; for an entity of a single table, its table), and\n' +
    'verifies the audit log when the ledger exists.\n' +
    'Exits 0 when all is well, 1 when a declared collection is missing or the audit log is broken\n' +
    '(changed, cut short or deleted records),\n' +
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
          ? `  ok    ${c.store} (${c.kind}): ${c.product} ${versionOf(c)}, answered in ${c.latencyMs} ms`
          : `  FAIL  ${c.store} (${c.kind}): ${c.error}`,
      );
    }
    const missing = report.collections.filter((c) => !c.exists);
    ctx.output.line(describeCollections(report.collections.length, missing.length));
    for (const c of missing)
      ctx.output.line(`  MISSING  ${c.collection} (store "${c.store}"): no ${whereMissing(c, config)}`);
    ctx.output.line(`ledger in "${ledger.store}": ${describeLedger(ledger)}`);
    for (const p of ledger.firstProblems ?? []) ctx.output.line(`  seq ${p.seq}: ${p.kind}: ${p.message}`);
    if (ledger.state === 'unreadable') ctx.output.error(`the ledger could not be read: ${ledger.error}`);
    if (!checks.every((c) => c.ok) || ledger.state === 'unreadable') return ExitCode.unreachable;
    return ledger.state === 'broken' || missing.length > 0 ? ExitCode.findings : ExitCode.ok;
  },
};

/** The version, or why there is none: "(version not reported: ...)". */
function versionOf(c: StoreCheck): string {
  return c.versionNote ? `(version ${c.version}: ${c.versionNote})` : String(c.version);
}

function describeCollections(declared: number, missing: number): string {
  if (missing === 0) return `collections: all ${formatCount(declared)} declared exist`;
  return `collections: ${formatCount(missing)} of ${formatCount(declared)} declared do not exist`;
}

/** What was not found, in the store's own words: a table, or a MongoDB collection. */
function whereMissing(c: CollectionCheck, config: ResolvedConfig): string {
  const kind = config.stores.get(c.store)?.kind;
  if (kind === 'mongodb') return `collection "${c.table}"`;
  if (kind === 'dynamodb') return `table "${c.table}" (before the store's tablePrefix)`;
  return `table "${c.table}"`;
}

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
