import type { ResolvedConfig } from '../../config/resolved-config.js';
import type { JsonValue } from '../../core/json.js';
import type { ResolvedDerived } from '../../derived/derived.js';
import { repairableKind, repairDrift } from '../../derived/repair-drift.js';
import { renderRepairReport, repairNeedsAttention } from '../../derived/repair-report.js';
import {
  snapshotApprovalKind,
  snapshotRefreshSubject,
  verifySnapshotRefresh,
} from '../../derived/snapshot-approval.js';
import { ExitCode } from '../../errors/steward-error.js';
import { listIncidents } from '../../ledger/incidents.js';
import type { Ledger } from '../../ledger/ledger.js';
import type { Command, CommandContext } from '../command.js';
import { configFor, intOption } from '../with-stores.js';
import { selectDerived, withDerived } from './drift-check.js';

/** `steward drift repair`: recomputes and writes the values of open drift incidents. */
export const driftRepairCommand: Command = {
  path: ['drift', 'repair'],
  summary: 'fix open drift incidents by recomputing their values from the source',
  usage: '[derived...] [--dry-run] [--batch N] [--force]',
  description:
    'For every open drift incident (found by `steward drift check`) of the named derived state (all when\n' +
    'none is named): reads the document, recomputes its value from the source as it is now and writes it\n' +
    'only if the stored value is still what was read; saves a before-image first, stamps `_projection.<field>`\n' +
    'with projectedAt, projectionVersion and by, audits each batch and closes the incident. A document\n' +
    "changed meanwhile is skipped and stays open for the next check. A snapshot's incidents are missing\n" +
    `snapshots, filled only with --force, which needs approvals of kind ${snapshotApprovalKind} (the\n` +
    'command prints what to sign).\n' +
    'Rerun to resume; a second run writes nothing. Exit 1 when anything was skipped or failed.',
  options: {
    'dry-run': { type: 'boolean' },
    batch: { type: 'string', default: '200' },
    force: { type: 'boolean' },
  },
  optionHelp: {
    'dry-run': 'print what would change; write nothing',
    batch: 'incidents per batch: one read, one bulk write, one audit record (default 200)',
    force: 'also refresh snapshots; needs approvals of the printed subject',
  },
  async run(ctx) {
    const config = await configFor(ctx);
    const selected = selectDerived(ctx.positionals, config);
    const dryRun = ctx.options['dry-run'] === true;
    const batch = intOption(ctx, 'batch', 200, 1);
    return withDerived(ctx, config, selected, async (run) => {
      const reports = [];
      let refused = false;
      for (const derived of selected) {
        const force = await forceAllowed(ctx, config, run.ledger, derived, 'drift repair', () =>
          openIncidentKeys(run.ledger, derived),
        );
        refused ||= force === 'refused';
        const report = await repairDrift({
          derived,
          ...run.handles(derived),
          ledger: run.ledger,
          dryRun,
          batch,
          force: force === true,
        });
        ctx.output.line(renderRepairReport(report).join('\n'));
        reports.push(report);
      }
      ctx.output.result({ ok: !refused && !reports.some(repairNeedsAttention), reports });
      return refused || reports.some(repairNeedsAttention) ? ExitCode.findings : ExitCode.ok;
    });
  },
};

/**
 * Whether --force may refresh this derived state's snapshots: true without a snapshot (nothing to
 * approve) or with valid approvals of the exact scope; `refused` (and a note saying what to sign)
 * otherwise. False without --force.
 */
export async function forceAllowed(
  ctx: CommandContext,
  config: ResolvedConfig,
  ledger: Ledger,
  derived: ResolvedDerived,
  action: 'drift repair' | 'rebuild',
  scope: () => Promise<JsonValue>,
): Promise<boolean | 'refused'> {
  if (ctx.options.force !== true) return false;
  if (!derived.snapshot) return true;
  const subject = snapshotRefreshSubject(derived.name, action, await scope());
  const verdict = await verifySnapshotRefresh(ledger, subject, config, Date.now());
  if (verdict.ok) return true;
  ctx.output.error(
    `${derived.name} is a snapshot: refreshing it needs approvals of ${subject} (kind ${snapshotApprovalKind}). ` +
      `Sign with: steward approvals sign ${subject} --kind ${snapshotApprovalKind} --key <file> --approver <name> --role <role>` +
      (verdict.problems.length > 0 ? `\n  ${verdict.problems.map((p) => p.message).join('\n  ')}` : ''),
  );
  return 'refused';
}

async function openIncidentKeys(ledger: Ledger, derived: ResolvedDerived): Promise<JsonValue> {
  await ledger.store.ensureCollection(ledger.namespace.incidents);
  const ids: string[] = [];
  for await (const i of listIncidents(ledger.store.collection(ledger.namespace.incidents), {
    subject: derived.name,
    status: 'open',
    kind: repairableKind(derived),
  }))
    ids.push(i.id);
  return { incidents: ids.sort() };
}
