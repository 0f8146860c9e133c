import { formatCount } from '../../core/format-count.js';
import { shortChecksum } from '../collection-checksum.js';
import type { MigrationRollbackReport, RollbackReport } from './rollback-report.js';

/** The rollback report as lines for a person: restored, converted, census, checksums, validators. */
export function renderRollbackReport(report: RollbackReport): string[] {
  const head =
    report.status === 'nothing'
      ? 'nothing to roll back'
      : report.status === 'paused'
        ? 'paused; rerun to resume'
        : `${formatCount(report.migrations.length)} migration(s) rolled back`;
  return [
    `migrate rollback: ${head}${report.resumed ? ', resumed' : ''}`,
    ...report.migrations.flatMap(renderMigration),
  ];
}

function renderMigration(m: MigrationRollbackReport): string[] {
  const { changed, failed } = m.counts;
  const lines = [
    `  ${m.id} (attempt ${m.attempt}): ${m.status}; ${formatCount(changed)} restored, ${formatCount(m.converted)} converted by down(), ${formatCount(failed)} failed`,
  ];
  for (const op of m.operations)
    lines.push(`    operation ${op.operation}: ${op.status}${op.note ? ` (${op.note})` : ''}`);
  for (const [name, versions] of Object.entries(m.census))
    lines.push(
      `    census ${name}: ${Object.entries(versions)
        .map(([v, n]) => `v${v}: ${formatCount(n)}`)
        .join(', ')}`,
    );
  lines.push(
    m.remainingAtTarget === 0
      ? '    no document left at the target version'
      : `    ${formatCount(m.remainingAtTarget)} document(s) left at the target version`,
  );
  for (const [name, c] of Object.entries(m.checksums)) {
    const before = m.checksumsBefore[name];
    const verdict =
      before === undefined
        ? 'no checksum from before apply'
        : before === c.hash
          ? 'equal to before apply'
          : 'DIFFERS from before apply';
    lines.push(`    checksum ${name}: ${formatCount(c.count)} docs ${shortChecksum(c.hash)}, ${verdict}`);
  }
  for (const v of m.validators)
    lines.push(`    validator ${v.name}: ${v.ok ? 'pass' : 'FAIL'}: ${v.message}`);
  for (const f of m.failures.slice(0, 10))
    lines.push(`    failed ${f.collection} ${JSON.stringify(f.key)}: ${f.reason}`);
  return lines;
}
