/**
 * Where apply's CPU goes by stage: N task documents on SQLite, applied and rolled back R times in
 * one process, each apply split at its progress events into setup (before the canary's first),
 * the canary pass and its gates, and the rest pass with the final gates and the changelog.
 *
 *   node --import tsx bench/tools/apply-stage-cpu.ts [--docs N] [--rounds R] [--batch B]
 *
 * Why (issue 17, 11th pass): the canary pass reads every document, as the rest does, and this
 * tells what that read costs against the rest. Writes nothing but a temporary SQLite file.
 */
import { parseArgs } from 'node:util';
import { applyMigrations } from '../../src/migrations/apply/apply-migrations.js';
import type { MigrationEvent } from '../../src/migrations/apply/migration-events.js';
import { rollbackMigrations } from '../../src/migrations/rollback/rollback-migrations.js';
import { sqliteTaskBench } from './sqlite-task-bench.js';

const { values } = parseArgs({
  options: {
    docs: { type: 'string', default: '100000' },
    rounds: { type: 'string', default: '4' },
    batch: { type: 'string', default: '500' },
  },
});
const { bench, close } = await sqliteTaskBench(Number(values.docs), Number(values.batch), 'stage-cpu');

const cpuMs = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return Math.round((used.user + used.system) / 1000);
};
try {
  for (let round = 0; round < Number(values.rounds); round++) {
    const start = process.cpuUsage();
    // The CPU used when each stage's first progress event came.
    const marks: { stage: string; at: number }[] = [];
    const onEvent = (event: MigrationEvent) => {
      if (event.type === 'progress' && marks.at(-1)?.stage !== event.stage)
        marks.push({ stage: event.stage, at: cpuMs(start) });
    };
    await applyMigrations({ ...bench.applyInput(), onEvent });
    const total = cpuMs(start);
    const parts = marks.map((m, i) => `${m.stage} ${(marks[i + 1]?.at ?? total) - m.at}`);
    const rolledBack = process.cpuUsage();
    await rollbackMigrations(bench.rollbackInput());
    console.log(
      `round ${round + 1}: apply ${total} ms CPU (setup ${marks[0]?.at ?? total}, ${parts.join(', ')}); ` +
        `rollback ${cpuMs(rolledBack)}`,
    );
  }
} finally {
  await close();
}
