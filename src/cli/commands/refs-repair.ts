import type { ResolvedConfig } from '../../config/resolved-config.js';
import { ExitCode, StewardError } from '../../errors/steward-error.js';
import { renderRepairReport } from '../../integrity/repair/render-repair-report.js';
import { needsAttention } from '../../integrity/repair/repair-result.js';
import { renderUndoReport } from '../../integrity/undo/render-undo-report.js';
import { undoNeedsAttention } from '../../integrity/undo/undo-report.js';
import { refsRepair } from '../../workspace/integrity/refs-repair.js';
import { refsUndo } from '../../workspace/integrity/refs-undo.js';
import type { Command, CommandContext } from '../command.js';
import { configFor } from '../config-for.js';
import { intOption } from '../int-option.js';
import { withInterrupt } from '../interrupt-signal.js';
import { noteWarnings } from '../note-warnings.js';
import { runOptionsFor } from '../run-options-for.js';

/** `steward refs repair`: applies each reference's onMissing policy to its open incidents, or undoes a run. */
export const refsRepairCommand: Command = {
  path: ['refs', 'repair'],
  summary: "apply each reference's onMissing policy to its open incidents; undo a repair run",
  usage: '[reference...] [--dry-run] [--batch N] [--force-breaker] | --undo <run> [--force] [--dry-run]',
  description:
    'For every open orphan and missing-required incident (found by `steward refs scan`) of the named\n' +
    'references (all when none is named): flag leaves it open; tombstone marks the document under\n' +
    '_steward.tombstones; nullify sets the reference to null (removes only the missing elements of an\n' +
    'array); rehydrate copies the missing targets from rehydrateFrom; delete-dependent deletes the\n' +
    'document, only with valid approvals of the exact plan (`steward approvals sign`).\n' +
    'Each batch first checks that the targets are still missing: an incident whose target is back is\n' +
    'closed without writing. Type mismatches are listed, never repaired. Every write saves a\n' +
    'before-image first, is conditional on the reference still holding the missing key, is audited,\n' +
    'and closes its incident. Rerun to resume; a second run changes nothing.\n' +
    'Circuit breaker: when the open orphans of a reference are too many of the documents scanned, or\n' +
    'jumped against the previous scan, the whole run is refused (exit 2) unless approvers signed the\n' +
    'override plan (--kind refs.breaker) and --force-breaker is given.\n' +
    'Each reference repaired is a run with an id, printed at the end: --undo <run> puts its\n' +
    'before-images back (a document changed since is a conflict, left alone unless --force).\n' +
    'Exit 0 when every policy was carried out, 1 when anything was refused, skipped or failed, or\n' +
    "when another run holds a reference's repair lease (the holder and its expiry are named),\n" +
    '2 when the breaker refused the run, 130 when an undo was stopped by SIGINT/SIGTERM.',
  options: {
    'dry-run': { type: 'boolean' },
    batch: { type: 'string', default: '100' },
    'force-breaker': { type: 'boolean' },
    undo: { type: 'string' },
    force: { type: 'boolean' },
  },
  optionHelp: {
    'dry-run': 'print what would change; write nothing',
    batch: 'incidents (or before-images) per batch: one read, one bulk write, one audit append (default 100)',
    'force-breaker': 'repair through a tripped circuit breaker, when approvals of its plan are valid',
    undo: 'undo this repair run (its id is printed by refs repair): put its before-images back',
    force: 'with --undo: also put back documents changed since the repair',
  },
  async run(ctx) {
    const config = await configFor(ctx);
    const batchSize = intOption(ctx, 'batch', 100, 1);
    const undo = ctx.options.undo;
    if (undo !== undefined) return runUndo(ctx, config, String(undo), batchSize);
    if (ctx.options.force)
      throw new StewardError(
        'usage',
        '--force goes with --undo <run>; to repair through the circuit breaker use --force-breaker',
      );
    const dryRun = ctx.options['dry-run'] === true;
    const forceBreaker = ctx.options['force-breaker'] === true;
    const input = { references: ctx.positionals, dryRun, batchSize, forceBreaker };
    const { warnings, ...report } = await refsRepair(config, input, runOptionsFor(ctx));
    ctx.output.line(renderRepairReport(report).join('\n'));
    noteWarnings(ctx, warnings);
    ctx.output.result({ ...report, warnings });
    if (report.refusedByBreaker) return ExitCode.usage;
    return needsAttention(report) ? ExitCode.findings : ExitCode.ok;
  },
};

/** `refs repair --undo <run>`: the run names its reference, so every declared store is opened. */
async function runUndo(
  ctx: CommandContext,
  config: ResolvedConfig,
  run: string,
  batchSize: number,
): Promise<number> {
  if (run === '' || ctx.positionals.length > 0 || ctx.options['force-breaker'])
    throw new StewardError(
      'usage',
      '--undo takes one run id (printed by refs repair) and no references: the run names its own',
    );
  const input = {
    run,
    force: ctx.options.force === true,
    dryRun: ctx.options['dry-run'] === true,
    batchSize,
  };
  const report = await withInterrupt(ctx, (signal) =>
    refsUndo(config, input, runOptionsFor(ctx, { signal })),
  );
  ctx.output.line(renderUndoReport(report).join('\n'));
  ctx.output.result(report);
  if (report.status === 'paused') return ExitCode.interrupted;
  return undoNeedsAttention(report) ? ExitCode.findings : ExitCode.ok;
}
