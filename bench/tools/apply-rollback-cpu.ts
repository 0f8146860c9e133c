/**
 * apply then rollback of the same N task documents on SQLite, R times, printing the CPU each took
 * (no profiler, no baselines): for A/B sittings of two versions alternated on a loaded machine.
 *
 *   node --import tsx bench/tools/apply-rollback-cpu.ts [--docs N] [--rounds R]
 */
import { parseArgs } from 'node:util';
import { applyMigrations } from '../../src/migrations/apply/apply-migrations.js';
import { rollbackMigrations } from '../../src/migrations/rollback/rollback-migrations.js';
import { sqliteTaskBench } from './sqlite-task-bench.js';

const { values } = parseArgs({
  options: { docs: { type: 'string', default: '100000' }, rounds: { type: 'string', default: '2' } },
});
const { bench, close } = await sqliteTaskBench(Number(values.docs), 5000, 'cpu');
try {
  const cpu = async (work: () => Promise<unknown>) => {
    const start = process.cpuUsage();
    await work();
    const used = process.cpuUsage(start);
    return Math.round((used.user + used.system) / 1000);
  };
  for (let r = 0; r < Number(values.rounds); r++) {
    const apply = await cpu(() => applyMigrations(bench.applyInput()));
    const rollback = await cpu(() => rollbackMigrations(bench.rollbackInput()));
    console.log(`apply ${apply} ms CPU, rollback ${rollback} ms CPU`);
  }
} finally {
  await close();
}
