import { basename } from 'node:path';
import { ExitCode } from '../../errors/steward-error.js';
import { readMigrationsState } from '../../migrations/plan/migrations-state.js';
import type { Command } from '../command.js';
import { withMigrations } from './migrate-plan.js';

/** `steward migrate validate`: the migration files against the changelog and the contracts. */
export const migrateValidateCommand: Command = {
  path: ['migrate', 'validate'],
  summary: 'check applied migrations are unchanged and in order, and agree with the contracts',
  description:
    'Compares every applied migration with its file: an applied migration whose file changed since\n' +
    '(its checksum differs) or is gone, and a pending migration that sorts before an applied one, are\n' +
    'named. So are migrations whose collections or versions their contracts do not declare. Writes\n' +
    'nothing. Exit 1 when anything is named, 0 otherwise (2 when a migration file cannot be loaded).',
  async run(ctx) {
    return withMigrations(ctx, async (run) => {
      const state = await readMigrationsState(run.config, run.ledger, run.migrations);
      const problems = [
        ...state.changelogProblems.map((p) => ({ migration: p.id, kind: p.kind, message: p.message })),
        ...state.contractProblems.map((p) => ({
          migration: basename(p.file),
          kind: 'contract' as const,
          message: `${basename(p.file)}: ${p.path}: ${p.message}`,
        })),
      ];
      const applied = state.records.filter((r) => r.status !== 'rolled-back').length;
      ctx.output.result({
        ok: problems.length === 0,
        migrations: state.migrations.length,
        applied,
        pending: state.pending.length,
        problems,
      });
      if (problems.length === 0)
        ctx.output.line(
          `ok: ${state.migrations.length} migration file(s), ${applied} applied and unchanged, ${state.pending.length} pending`,
        );
      for (const p of problems) ctx.output.line(`${p.kind}: ${p.message}`);
      return problems.length === 0 ? ExitCode.ok : ExitCode.findings;
    });
  },
};
