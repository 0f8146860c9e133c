import { formatCount } from '../../core/format-count.js';
import type { CheckFinding, CheckReport, CollectionCheck } from './check-report.js';
import type { DeprecationEntry } from './list-deprecations.js';

/**
 * The human form of a check report, as lines: per collection the policy applied, then each
 * finding with where it is, the rule, the versions, what to do and who it affects; a summary last.
 */
export function renderCheckReport(report: CheckReport): string[] {
  const lines: string[] = [];
  for (const c of report.collections) {
    lines.push(collectionLine(c));
    for (const note of c.notes) lines.push(`  note: ${note}`);
    for (const f of c.findings) lines.push(`  ${findingLine(f)}`);
  }
  lines.push('', summaryLine(report));
  return lines;
}

function collectionLine(c: CollectionCheck): string {
  const versions = c.comparedVersions.map((v) => `v${v}`).join(', ');
  return `${c.collection} [${c.mode}, ${c.semantics}] ${c.change}; group ${c.group}: ${versions}`;
}

/** One finding on one line: `✗ cases /properties/status (status): type-narrowed [mode, direction] v1→v2 — ...`. */
export function findingLine(f: CheckFinding): string {
  const mark = f.status === 'waived' ? '○ waived:' : '✗';
  const where = f.path === '' ? '(whole document)' : `${f.path} (${f.field})`;
  const policy = f.mode ? ` [${f.mode}${f.direction ? `, ${f.direction}` : ''}]` : '';
  const versions = versionsText(f);
  const waiver =
    f.waiver && !f.waiver.expired ? ` Waived until ${f.waiver.expires}: ${f.waiver.reason}.` : '';
  const affects = f.affected.length > 0 ? f.affected.join(', ') : 'no declared consumer';
  return (
    `${mark} ${f.collection} ${where}: ${f.rule}${policy}${versions} — ${f.message}.${waiver} ` +
    `Affects: ${affects} (owner ${f.owner})`
  );
}

function versionsText(f: CheckFinding): string {
  const { fromVersion: from, toVersion: to } = f;
  if (from !== undefined && to !== undefined) return from === to ? ` v${from}` : ` v${from}→v${to}`;
  const one = from ?? to;
  return one === undefined ? '' : ` v${one}`;
}

function summaryLine(r: CheckReport): string {
  const waived = r.waived > 0 ? `, ${formatCount(r.waived)} waived` : '';
  const scope = `${formatCount(r.collections.length)} collection(s), as of ${r.asOf}`;
  if (r.ok) return `✓ contracts check passed: no failing findings${waived} in ${scope}`;
  return `✗ contracts check failed: ${formatCount(r.failing)} failing finding(s)${waived} in ${scope}`;
}

/** The human form of the deprecations list: one line per field, then who still reads it. */
export function renderDeprecations(entries: readonly DeprecationEntry[], asOf: string): string[] {
  if (entries.length === 0) return [`no deprecated fields (as of ${asOf})`];
  return entries.map((e) => {
    const when =
      e.daysLeft === 0
        ? `due today (${e.removeAfter})`
        : e.status === 'due'
          ? `due since ${e.removeAfter} (${-e.daysLeft} day(s) ago)`
          : `removable from ${e.removeAfter} (in ${e.daysLeft} day(s))`;
    const instead = e.replacement ? `; read ${e.replacement} instead` : '';
    const state = e.removed ? 'Already removed from the newest version' : 'Still in the newest version';
    const readers = e.readers.length > 0 ? `still read by ${e.readers.join(', ')}` : 'no declared readers';
    return `${e.collection}.${e.field}: ${when} — ${e.reason}${instead}. ${state}; ${readers} (owner ${e.owner})`;
  });
}
