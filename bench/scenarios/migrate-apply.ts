import { applyMigrations } from '../../src/migrations/apply/apply-migrations.js';
import { rollbackMigrations } from '../../src/migrations/rollback/rollback-migrations.js';
import type { PhaseResult } from '../measure-phase.js';
import {
  expectCount,
  handWrittenBaselines,
  migrated,
  migrationBench,
  writeTransformedBaseline,
} from '../migration-workload.js';
import { safeLoopBaseline } from '../safe-loop-baseline.js';
import type { Scenario } from '../scenario.js';

/**
 * `migrate apply` of N task documents (canary, gates, rest; before-images, conditional writes and
 * checkpoints included, approvals checked), as a ratio to the driver's bulk write of the same
 * migrated documents measured in the same run. Target: apply at least half the raw write rate
 * (ratio at most 2). Between rounds the documents are rolled back, not measured. On SQLite also
 * against the migration written by hand with the driver: the loop, one `json_set` statement; on
 * SQLite and DynamoDB against `baseline-safe-loop`, the same guarantees as apply (images, digests,
 * check, conditional writes, checkpoints), so the run tells the guarantees' cost from steward's own
 * (issue 17, eighth pass).
 */
export const scenario: Scenario = {
  description: 'migrate apply of N task documents, ratio to the raw bulk write of the migrated documents',
  async run(context) {
    const bench = await migrationBench(context);
    const baselines: PhaseResult[] = [];
    const loops: PhaseResult[] = [];
    const sqls: PhaseResult[] = [];
    const safeLoops: PhaseResult[] = [];
    const applies: PhaseResult[] = [];
    try {
      for (let round = 0; round < context.options.rounds; round++) {
        baselines.push(await writeTransformedBaseline(context, 'baseline-write', migrated));
        const byHand = await handWrittenBaselines(context, 'up');
        if (byHand) {
          loops.push(byHand.loop);
          sqls.push(byHand.sql);
        }
        const safeLoop = await safeLoopBaseline(context, 'up');
        if (safeLoop) safeLoops.push(safeLoop);
        applies.push(
          await context.measure('migrate-apply', async (phase) => {
            const report = await applyMigrations({ ...bench.applyInput(), onEvent: () => phase.poll() });
            if (report.status !== 'applied')
              throw new Error(`apply ended ${report.status}: ${JSON.stringify(report.refusal)}`);
            return expectCount('migrate-apply', report.migrations[0]!.counts.changed, context.options.docs);
          }),
        );
        if (round + 1 < context.options.rounds) await rollbackMigrations(bench.rollbackInput());
      }
      context.compare(applies, baselines);
      if (loops.length > 0) context.compare(applies, loops);
      if (sqls.length > 0) context.compare(applies, sqls);
      if (safeLoops.length > 0) {
        context.compare(applies, safeLoops);
        context.compare(safeLoops, baselines);
      }
    } finally {
      await bench.cleanup();
    }
  },
};
