import type { ResolvedConfig } from '../../config/resolved-config.js';
import { formatCount } from '../../core/format-count.js';
import { ExitCode } from '../../errors/steward-error.js';
import type { LayoutGap } from '../../stores/store.js';
import { type CollectionCheck, doctor, type LedgerCheck, type StoreCheck } from '../../workspace/doctor.js';
import type { Command } from '../command.js';
import { configFor } from '../config-for.js';

/**
 * `steward doctor`: can every configured store be reached, which versions are they, does every
 * declared collection exist with steward's whole layout, is the ledger whole?
 */
export const doctorCommand: Command = {
  path: ['doctor'],
  summary:
    'check each store answers (product, version, latency), declared collections exist with their layout, the ledger is whole',
  usage: '[--fix]',
  description:
    'Without --fix it reads only: it opens each store, asks for its version, checks that every\n' +
    'declared collection exists (SQLite table, MongoDB collection, DynamoDB table; for an entity of a\n' +
    'single table, its table), and verifies the audit log when the ledger exists.\n' +
    "It also names what steward's layout of an existing collection lacks (GAP): a SQLite table made by\n" +
    'a steward before it gave every table a key index has none, and lookups of keys in it read whole\n' +
    'documents. --fix adds it (an index is built; no document is written) and says so (ADDED).\n' +
    'Exits 0 when all is well (a layout gap slows steward down, nothing more), 1 when a declared\n' +
    'collection is missing or the audit log is broken (changed, cut short or deleted records),\n' +
    '3 when a store cannot be reached or the ledger holds a document it cannot read.',
  options: { fix: { type: 'boolean' } },
  optionHelp: {
    fix: "add what steward's layout of existing collections lacks (SQLite: the key index); writes no document",
  },
  async run(ctx) {
    const config = await configFor(ctx);
    const fix = ctx.options.fix === true;
    const report = await doctor(config, {
      fix,
      onFixing: (collection, gaps) => ctx.output.note(`adding ${describeGaps(gaps)} to ${collection}...`),
    });
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
    for (const c of report.collections) {
      if (c.added)
        ctx.output.line(`  ADDED    ${c.collection} (store "${c.store}"): ${describeGaps(c.added)}`);
      for (const gap of c.layoutGaps ?? [])
        ctx.output.line(
          `  GAP      ${c.collection} (store "${c.store}"): no ${describeGap(gap)}: ${gap.without}`,
        );
    }
    const gaps = report.collections.filter((c) => c.layoutGaps).length;
    if (fix && gaps === 0 && !report.collections.some((c) => c.added))
      ctx.output.line("layout: nothing to add, every existing collection has steward's whole layout");
    if (gaps > 0)
      ctx.output.line(
        `layout: ${formatCount(gaps)} collection(s) lack part of steward's layout; "steward doctor --fix" adds it`,
      );
    ctx.output.line(`ledger in "${ledger.store}": ${describeLedger(ledger)}`);
    for (const p of ledger.firstProblems ?? []) ctx.output.line(`  seq ${p.seq}: ${p.kind}: ${p.message}`);
    if (ledger.state === 'unreadable') ctx.output.error(`the ledger could not be read: ${ledger.error}`);
    if (!checks.every((c) => c.ok) || ledger.state === 'unreadable') return ExitCode.unreachable;
    return ledger.state === 'broken' || missing.length > 0 ? ExitCode.findings : ExitCode.ok;
  },
};

/** Each kind of layout gap in words. */
const gapKinds: Readonly<Record<LayoutGap['kind'], string>> = { 'key-index': 'key index' };

/** A layout gap as doctor names it: `key index "tasks#keys"`. */
function describeGap(gap: LayoutGap): string {
  return `${gapKinds[gap.kind]} "${gap.name}"`;
}

function describeGaps(gaps: readonly LayoutGap[]): string {
  return gaps.map(describeGap).join(', ');
}

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
