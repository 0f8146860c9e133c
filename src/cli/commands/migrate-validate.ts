import { ExitCode } from '../../errors/steward-error.js';
import { migrateValidate } from '../../workspace/migrations/migrate-validate.js';
import type { Command } from '../command.js';
import { configFor } from '../config-for.js';
import { runOptionsFor } from '../run-options-for.js';

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
    const config = await configFor(ctx);
    const result = await migrateValidate(config, runOptionsFor(ctx));
    const { problems } = result;
    ctx.output.result(result);
    if (problems.length === 0)
      ctx.output.line(
        `ok: ${result.migrations} migration file(s), ${result.applied} applied and unchanged, ${result.pending} pending`,
      );
    for (const p of problems) ctx.output.line(`${p.kind}: ${p.message}`);
    return problems.length === 0 ? ExitCode.ok : ExitCode.findings;
  },
};
