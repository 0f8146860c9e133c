import { formatCount } from '../../core/format-count.js';
import { renderKey } from '../../core/key-text.js';
import type { DocKey } from '../../stores/store.js';
import { type BreakerCheck, breakerApprovalKind } from '../breaker/check-breaker.js';
import { deleteApprovalKind } from './repair-plan-hash.js';
import { type ReferenceRepair, type RepairItem, type RepairReport, repairStatuses } from './repair-result.js';

/** Items printed per reference; the rest are counted, and all are in `--json`. */
const maxItemLines = 50;

/** Keys in the one form every report prints (see `renderKey`). */
const key = (k: DocKey): string => renderKey(k);
const json = (v: unknown): string => JSON.stringify(v ?? null);

/** The human-readable lines of a repair, as `refs repair` prints them. Pure. */
export function renderRepairReport(report: RepairReport): string[] {
  const lines: string[] = [];
  if (report.refusedByBreaker) {
    lines.push(
      `refs repair refused by the circuit breaker: nothing was repaired${report.dryRun ? '' : ' or written'}, ` +
        'in any reference of this run',
    );
    for (const check of report.breaker ?? []) lines.push(...renderBreaker(check));
    return lines;
  }
  for (const check of report.breaker ?? []) lines.push(...renderBreaker(check));
  for (const reference of report.references) lines.push(...renderReference(reference, report.dryRun));
  const total = countsText(report.counts);
  // "no open incidents" only when every reference was looked at: a held one may have thousands.
  const summary = [total || (report.references.some((r) => r.error) ? 'nothing done' : 'no open incidents')];
  const held = report.references.filter((r) => r.heldBy).map((r) => r.reference);
  if (held.length > 0)
    summary.push(
      `not repaired, another run holds the lease: ${held.join(', ')} (retry when it has finished)`,
    );
  lines.push(`${report.dryRun ? 'dry run, nothing written' : 'repair'}: ${summary.join('; ')}`);
  for (const r of report.references)
    if (r.run && r.counts.done > 0)
      lines.push(`run ${r.run} (${r.reference}): undo it with  steward refs repair --undo ${r.run}`);
  return lines;
}

function renderReference(r: ReferenceRepair, dryRun: boolean): string[] {
  const run = r.run ? `, run ${r.run}${r.resumed ? ', resumed' : ''}` : '';
  const lines = [
    `${r.reference} (onMissing: ${r.policy}${run})${r.items.length === 0 && !r.error ? ': no open incidents' : ''}`,
  ];
  if (r.error) lines.push(`  not repaired: ${r.error}`);
  if (r.plan) lines.push(...renderPlan(r.plan, dryRun));
  for (const item of r.items.slice(0, maxItemLines)) lines.push(`  ${itemLine(item)}`);
  if (r.items.length > maxItemLines)
    lines.push(`  ... and ${formatCount(r.items.length - maxItemLines)} more (all of them with --json)`);
  if (r.items.length > 0) lines.push(`  ${countsText(r.counts)}`);
  return lines;
}

function renderBreaker(check: BreakerCheck): string[] {
  const { verdict, plan } = check;
  const head = `${verdict.reference}: circuit breaker tripped`;
  const why = verdict.reasons.map((r) => `  - ${r}`);
  if (check.overridden)
    return [
      `${head}, overridden by --force-breaker: plan ${plan?.hash} approved by ${plan?.approval.approvedBy.join(', ')}`,
      ...why,
    ];
  const problems = plan?.approval.problems.map((p) => `    - ${p.message}`) ?? [];
  return [
    `${head}:`,
    ...why,
    '  a rate like this usually means a wrong reference (a typo in its target, a key field left at _id),',
    '  not deleted targets: check the config and rescan. To repair anyway, approvers sign the plan',
    `  (${formatCount(plan?.incidents ?? verdict.open)} incidents) and the repair is run again with --force-breaker:`,
    `    steward approvals sign ${plan?.hash} --kind ${breakerApprovalKind} --key <name>.key.pem --approver <name> --role <role>`,
    `    steward refs repair ${verdict.reference} --force-breaker`,
    ...(problems.length > 0 ? ['  the approvals of the plan so far:', ...problems] : []),
  ];
}

function renderPlan(plan: NonNullable<ReferenceRepair['plan']>, dryRun: boolean): string[] {
  const head = `  delete plan ${plan.hash} (${formatCount(plan.incidents)} documents)`;
  if (plan.approval.ok) return [`${head}: approved by ${plan.approval.approvedBy.join(', ')}`];
  const why = plan.approval.problems.map((p) => `    - ${p.message}`);
  return [
    `${head}: NOT APPROVED${dryRun ? '' : ', nothing deleted'}`,
    ...why,
    '    to approve, each approver runs:',
    `      steward approvals sign ${plan.hash} --kind ${deleteApprovalKind} --key <name>.key.pem --approver <name> --role <role>`,
  ];
}

function itemLine(item: RepairItem): string {
  const change = changeText(item);
  const note = item.note ? ` (${item.note})` : '';
  return `${item.status.padEnd(8)} ${item.action.padEnd(9)} ${item.collection} ${key(item.key)}${change}${note}`;
}

function changeText(item: RepairItem): string {
  const change = item.change;
  if (!change) return '';
  if (change.type === 'delete') return ': delete the document';
  if (change.type === 'insert') return `: insert targets ${change.keys.map(key).join(', ')}`;
  return `: ${change.path} ${json(change.before)} -> ${json(change.after)}`;
}

function countsText(counts: Readonly<Record<string, number>>): string {
  return repairStatuses
    .filter((s) => (counts[s] ?? 0) > 0)
    .map((s) => `${formatCount(counts[s] ?? 0)} ${s}`)
    .join(', ');
}
