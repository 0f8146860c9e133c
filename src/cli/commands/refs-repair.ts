import { ExitCode } from '../../errors/steward-error.js';
import { renderRepairReport } from '../../integrity/repair/render-repair-report.js';
import { needsAttention } from '../../integrity/repair/repair-result.js';
import { refsRepair } from '../../workspace/integrity/refs-repair.js';
import type { Command } from '../command.js';
import { configFor } from '../config-for.js';
import { intOption } from '../int-option.js';
import { noteWarnings } from '../note-warnings.js';
import { runOptionsFor } from '../run-options-for.js';

/** `steward refs repair`: applies each reference's onMissing policy to its open incidents. */
export const refsRepairCommand: Command = {
  path: ['refs', 'repair'],
  summary: "apply each reference's onMissing policy to its open incidents",
  usage: '[reference...] [--dry-run] [--batch N]',
  description:
    'For every open orphan and missing-required incident (found by `steward refs scan`) of the named\n' +
    'references (all when none is named): flag leaves it open; tombstone marks the document under\n' +
    '_steward.tombstones; nullify sets the reference to null (removes only the missing elements of an\n' +
    'array); rehydrate copies the missing targets from rehydrateFrom; delete-dependent deletes the\n' +
    'document, only with valid approvals of the exact plan (`steward approvals sign`).\n' +
    'Type mismatches are listed, never repaired. Every write saves a before-image first, is conditional\n' +
    'on the reference still holding the missing key, is audited, and closes its incident. Rerun to\n' +
    'resume; a second run changes nothing.\n' +
    'Exit 0 when every policy was carried out, 1 when anything was refused, skipped or failed, or\n' +
    "when another run holds a reference's repair lease (the holder and its expiry are named).",
  options: {
    'dry-run': { type: 'boolean' },
    batch: { type: 'string', default: '100' },
  },
  optionHelp: {
    'dry-run': 'print what would change; write nothing',
    batch: 'incidents per batch: one read, one bulk write, one audit append (default 100)',
  },
  async run(ctx) {
    const config = await configFor(ctx);
    const dryRun = ctx.options['dry-run'] === true;
    const batchSize = intOption(ctx, 'batch', 100, 1);
    const input = { references: ctx.positionals, dryRun, batchSize };
    const { warnings, ...report } = await refsRepair(config, input, runOptionsFor(ctx));
    ctx.output.line(renderRepairReport(report).join('\n'));
    noteWarnings(ctx, warnings);
    ctx.output.result({ ...report, warnings });
    return needsAttention(report) ? ExitCode.findings : ExitCode.ok;
  },
};
