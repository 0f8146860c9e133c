import { formatCount } from '../../core/format-count.js';
import type { CollectionDryRun, DryRunReport, MigrationDryRun } from './dry-run-report.js';

/**
 * The dry-run report as markdown, for the people who approve the plan: the verdict first, then per
 * migration the counts, the failed documents, the validators, the round-trip check and a few
 * documents before and after. The JSON file is the record; this is its readable face. Pure.
 */
export function renderDryRunMarkdown(report: DryRunReport, hash: string): string {
  const lines = [
    `# Dry run of plan ${report.planHash}`,
    '',
    `**${report.ok ? 'PASSED' : 'FAILED'}** at ${report.createdAt}. Report hash \`${hash}\` (sign it with \`steward migrate approve ${report.planHash}\`).`,
    '',
    `- documents: ${formatCount(report.totals.changed)} changed, ${formatCount(report.totals.unchanged)} unchanged, ${formatCount(report.totals.failed)} failed`,
    `- throughput: ${formatCount(report.throughput.perSecond)} documents/s (${formatCount(report.throughput.documents)} in ${report.throughput.seconds} s)`,
    `- estimated full run: ${formatCount(report.estimate.documents)} documents in about ${duration(report.estimate.seconds)} (before-images, rate limit and gates not included)`,
    ...etaLines(report),
    `- sandboxes: ${report.sample === null ? 'full copies' : `samples of at least ${formatCount(report.sample)} documents`}`,
    '',
    '| collection | store | sandbox | documents | copied | fraction |',
    '|---|---|---|---|---|---|',
    ...report.sandboxes.map(
      (s) =>
        `| ${s.collection} | ${s.store} | ${s.sandbox} | ${formatCount(s.sourceDocuments)} | ${formatCount(s.copied)} | ${s.fraction} |`,
    ),
  ];
  for (const m of report.migrations) lines.push('', ...migrationSection(m));
  return `${lines.join('\n')}\n`;
}

function migrationSection(m: MigrationDryRun): string[] {
  const lines = [
    `## ${m.id}: ${m.ok ? 'passed' : 'FAILED'}`,
    '',
    `${m.description} (v${m.fromVersion} -> v${m.targetVersion})`,
    '',
    '| collection | examined | changed | unchanged | failed | est. documents | est. time |',
    '|---|---|---|---|---|---|---|',
    ...m.collections.map(
      (c) =>
        `| ${c.collection} | ${formatCount(c.examined)} | ${formatCount(c.changed)} | ${formatCount(c.unchanged)} | ${formatCount(c.failed)} | ${formatCount(c.estimatedDocuments)} | ${duration(c.estimatedSeconds)} |`,
    ),
  ];
  for (const c of m.collections.filter((c) => c.failed > 0)) lines.push('', ...failures(c));
  lines.push('', '### Validators', '');
  const validators = [
    ...m.validators.before.map((v) => ({ ...v, when: 'before' })),
    ...m.validators.after.map((v) => ({ ...v, when: 'after' })),
  ];
  if (validators.length === 0) lines.push('none');
  for (const v of validators) {
    const status = v.skipped ? 'skipped' : v.ok ? 'ok' : 'FAILED';
    lines.push(`- ${status} (${v.when}, ${v.kind}) ${v.name}: ${v.message}`);
    for (const p of v.problems) lines.push(`  - ${p}`);
  }
  lines.push('', '### down(up(doc))', '');
  if (m.roundTrip === null) lines.push('no down(): rollback restores the before-images apply saves');
  else {
    lines.push(
      `${formatCount(m.roundTrip.checked - m.roundTrip.mismatched)} of ${formatCount(m.roundTrip.checked)} documents come back exactly`,
    );
    for (const p of m.roundTrip.problems) lines.push(`- ${JSON.stringify(p.key)}: ${p.reason}`);
  }
  if (m.operationsNotRehearsed.length > 0)
    lines.push('', `Not rehearsed in the sandbox: ${m.operationsNotRehearsed.join('; ')}`);
  lines.push('', '### Delta sample', '');
  const deltas = m.collections.flatMap((c) => c.deltas.map((d) => ({ ...d, collection: c.collection })));
  if (deltas.length === 0) lines.push('no document changed');
  for (const d of deltas)
    lines.push(
      `- ${d.collection} ${JSON.stringify(d.key)}`,
      `  - before: \`${JSON.stringify(d.before)}\``,
      `  - after: \`${JSON.stringify(d.after)}\``,
    );
  return lines;
}

function failures(c: CollectionDryRun): string[] {
  const lines = [`### Failed documents in ${c.collection}`, ''];
  for (const f of c.failures) lines.push(`- ${JSON.stringify(f.key)}: ${f.reason}`);
  if (c.failuresOmitted > 0) lines.push(`- and ${formatCount(c.failuresOmitted)} more`);
  return lines;
}

/** The ETA of the real apply, with its range, and per collection how it was reckoned. */
function etaLines(report: DryRunReport): string[] {
  if (!report.eta) return [];
  const { eta } = report;
  const perCollection = report.migrations.flatMap((m) =>
    m.collections.flatMap((c) => (c.eta ? [`  - ${m.id} on ${c.collection}: ${c.eta.method}`] : [])),
  );
  return [
    `- ETA of the real apply: about ${duration(eta.seconds)} for ${formatCount(eta.documents)} documents (likely between ${duration(eta.low)} and ${duration(eta.high)}; rate limit and gate waits not included)`,
    ...perCollection,
  ];
}

function duration(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  if (seconds < 3600) return `${Math.ceil(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}
