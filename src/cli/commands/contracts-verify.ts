import type { DocumentFailure, VerifyReport } from '../../contracts/verify/verify-report.js';
import { formatCount } from '../../core/format-count.js';
import { renderKey } from '../../core/key-text.js';
import { ExitCode, StewardError } from '../../errors/steward-error.js';
import { type ContractsVerifyEvent, contractsVerify } from '../../workspace/contracts/contracts-verify.js';
import { segmentOption } from '../collection-arg.js';
import type { Command, CommandContext } from '../command.js';
import { configFor } from '../config-for.js';
import { intOption } from '../int-option.js';
import type { Output } from '../output.js';
import { runOptionsFor } from '../run-options-for.js';

/** `steward contracts verify`: how much of the stored data conforms to its contract, per version. */
export const contractsVerifyCommand: Command = {
  path: ['contracts', 'verify'],
  summary: 'check stored documents against the schema of the version they carry',
  usage: '[<collection>...] [--sample 0.1] [--max-failures N] [--threshold 100] [--segment i/N]',
  description:
    'Reads each collection page by page and validates every document with the schema of the\n' +
    "version in its version field. Without names, verifies every contract's collection that the\n" +
    'config declares. --sample examines a fraction chosen by key: the same documents every run.\n' +
    "steward's projection metadata (_projection, or the field a derived declaration names) is not\n" +
    'checked: the contract need not declare it.\n' +
    "Documents without a version field are checked as the contract's assumeVersion when it declares\n" +
    'one. Exits 1 when a collection is below --threshold percent conforming or has documents with a\n' +
    'missing (and not assumed) or undeclared version; 0 otherwise.',
  options: {
    sample: { type: 'string' },
    'max-failures': { type: 'string', default: '20' },
    threshold: { type: 'string', default: '100' },
    segment: { type: 'string' },
  },
  optionHelp: {
    sample: 'examine this fraction of the documents, 0 < f <= 1 (default 1: all)',
    'max-failures': 'non-conforming documents to list per collection (default 20)',
    threshold: 'lowest acceptable percent of conforming documents (default 100)',
    segment: 'only segment i of N (0-based), as a worker of N would read it',
  },
  async run(ctx) {
    const sample = fractionOption(ctx);
    const threshold = thresholdOption(ctx);
    const maxFailures = intOption(ctx, 'max-failures', 20);
    const segment = segmentOption(ctx);
    const config = await configFor(ctx);
    const input = {
      collections: ctx.positionals,
      sample,
      threshold,
      maxFailures,
      cwd: ctx.cwd,
      ...(segment ? { segment } : {}),
    };
    const onProgress = (event: ContractsVerifyEvent) => {
      if (event.type === 'progress')
        ctx.output.progress(`verifying ${event.phase}`, event.done, event.total, true);
      else ctx.output.endProgress();
    };
    const result = await contractsVerify(config, input, runOptionsFor(ctx, { onProgress }));
    ctx.output.result(result);
    const width = Math.max(...result.collections.map((r) => r.collection.length));
    for (const report of result.collections) render(ctx.output, report, width);
    for (const s of result.skipped) ctx.output.line(`skipped ${s.collection}: ${s.reason}`);
    return result.ok ? ExitCode.ok : ExitCode.findings;
  },
};

function render(output: Output, r: VerifyReport, width: number): void {
  const percent = (Math.floor(r.percentConforming * 10) / 10).toFixed(1);
  const census = r.versions.map((v) => `v${v.version}: ${formatCount(v.documents)}`).join('  ');
  const sampled =
    r.sample < 1 ? `  (sample ${Math.round(r.sample * 1000) / 10}% of ${formatCount(r.scanned)} read)` : '';
  output.line(
    `${r.collection.padEnd(width)}  ${percent}% conforming (${formatCount(r.conforming)}/${formatCount(r.checked)})  ${census}${sampled}`,
  );
  if (r.missingVersion > 0 || r.unknownVersion.count > 0) {
    const values = Object.entries(r.unknownVersion.values).map(([v, n]) => `${v} x${formatCount(n)}`);
    if (r.unknownVersion.otherValues > 0) values.push(`others x${formatCount(r.unknownVersion.otherValues)}`);
    const unknown = values.length > 0 ? ` (${values.join(', ')})` : '';
    output.line(
      `  version field "${r.versionField}": missing in ${formatCount(r.missingVersion)}, undeclared in ${formatCount(r.unknownVersion.count)}${unknown}`,
    );
    if (r.missingVersion > 0)
      output.line(
        "  documents without it are of no version: declare the contract's assumeVersion if they are of a known one",
      );
  }
  if (r.assumedVersion > 0)
    output.line(
      `  version field "${r.versionField}": missing in ${r.assumedVersion}, checked as the contract's assumeVersion`,
    );
  for (const f of r.failures) output.line(`  ${failureLine(f)}`);
  const unlisted = r.nonConforming - r.failures.length;
  if (unlisted > 0)
    output.line(`  ... and ${unlisted} more non-conforming document(s); raise --max-failures to list them`);
}

function failureLine(f: DocumentFailure): string {
  const key = renderKey(f.key);
  const paths = f.failures.map((x) => `${x.path || '(document)'} ${x.message}`);
  if (f.omitted > 0) paths.push(`${f.omitted} more`);
  return `${key}  v${f.version}  ${paths.join('; ')}`;
}

function fractionOption(ctx: CommandContext): number {
  const raw = ctx.options.sample;
  if (raw === undefined) return 1;
  const value = Number(raw);
  if (typeof raw !== 'string' || !(value > 0 && value <= 1))
    throw new StewardError(
      'usage',
      `--sample must be a fraction above 0 and at most 1, such as 0.1 (got "${String(raw)}")`,
    );
  return value;
}

function thresholdOption(ctx: CommandContext): number {
  const raw = ctx.options.threshold;
  const value = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !(value >= 0 && value <= 100))
    throw new StewardError('usage', `--threshold must be a percent from 0 to 100 (got "${String(raw)}")`);
  return value;
}
