/**
 * apply then rollback of the same N task documents on SQLite, R times, printing the CPU each took
 * (no profiler, no baselines): for A/B sittings of two versions alternated on a loaded machine.
 *
 *   node --import tsx bench/tools/apply-rollback-cpu.ts [--docs N] [--rounds R]
 */
import { parseArgs } from 'node:util';
import { applyMigrations } from '../../src/migrations/apply/apply-migrations.js';
import { rollbackMigrations } from '../../src/migrations/rollback/rollback-migrations.js';
import { createBenchContext } from '../bench-context.js';
import { benchStoreConfig } from '../bench-stores.js';
import { migrationBench } from '../migration-workload.js';
import { taskBatches } from '../task-workloads.js';

const { values } = parseArgs({
  options: { docs: { type: 'string', default: '100000' }, rounds: { type: 'string', default: '2' } },
});
const options = {
  scenario: 'migrate-apply',
  store: 'sqlite' as const,
  docs: Number(values.docs),
  batch: 5000,
  seed: 'bench',
  rounds: 1,
  keep: false,
  mongoBatch: 50,
};
const context = createBenchContext(options, benchStoreConfig('sqlite', `cpu-${process.pid}`));
try {
  const bench = await migrationBench(context);
  const baseline = await context.baseline();
  await baseline.reset();
  for (const batch of taskBatches(options)) await baseline.write(batch);
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
  await bench.cleanup();
} finally {
  await context.close();
}
