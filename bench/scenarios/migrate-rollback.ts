import { applyMigrations } from '../../src/migrations/apply/apply-migrations.js';
import { rollbackMigrations } from '../../src/migrations/rollback/rollback-migrations.js';
import type { PhaseResult } from '../measure-phase.js';
import {
  expectCount,
  handWrittenBaselines,
  migrationBench,
  writeTransformedBaseline,
} from '../migration-workload.js';
import { safeLoopBaseline } from '../safe-loop-baseline.js';
import type { Scenario } from '../scenario.js';

/**
 * `migrate rollback` of N task documents (before-images restored, census, checksums against the
 * ones apply recorded), as a ratio to the driver's bulk write of the same original documents
 * measured in the same run. Target: at most 2. Each round applies first, not measured. On SQLite
 * also against the hand-written loop and `json_set`; on SQLite and DynamoDB against
 * `baseline-safe-loop`: the rollback of the hand-written safe migration, digests checked, census
 * included (issue 17, eighth pass).
 */
export const scenario: Scenario = {
  description: 'migrate rollback of N task documents, ratio to the raw bulk write of the original documents',
  async run(context) {
    const bench = await migrationBench(context);
    const baselines: PhaseResult[] = [];
    const loops: PhaseResult[] = [];
    const sqls: PhaseResult[] = [];
    const safeLoops: PhaseResult[] = [];
    const rollbacks: PhaseResult[] = [];
    try {
      for (let round = 0; round < context.options.rounds; round++) {
        context.log('applying the migration (not measured)');
        const applied = await applyMigrations(bench.applyInput());
        if (applied.status !== 'applied') throw new Error(`apply ended ${applied.status}`);
        baselines.push(await writeTransformedBaseline(context, 'baseline-write', (doc) => doc));
        const byHand = await handWrittenBaselines(context, 'down');
        if (byHand) {
          loops.push(byHand.loop);
          sqls.push(byHand.sql);
        }
        const safeLoop = await safeLoopBaseline(context, 'down');
        if (safeLoop) safeLoops.push(safeLoop);
        rollbacks.push(
          await context.measure('migrate-rollback', async (phase) => {
            const report = await rollbackMigrations({
              ...bench.rollbackInput(),
              onEvent: () => phase.poll(),
            });
            const m = report.migrations[0]!;
            if (m.exact !== true || m.remainingAtTarget !== 0)
              throw new Error(`rollback not exact: ${JSON.stringify(m.checksums)}`);
            return expectCount('migrate-rollback', m.counts.changed, context.options.docs);
          }),
        );
      }
      context.compare(rollbacks, baselines);
      if (loops.length > 0) context.compare(rollbacks, loops);
      if (sqls.length > 0) context.compare(rollbacks, sqls);
      if (safeLoops.length > 0) {
        context.compare(rollbacks, safeLoops);
        context.compare(safeLoops, baselines);
      }
    } finally {
      await bench.cleanup();
    }
  },
};
