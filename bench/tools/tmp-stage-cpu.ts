import { applyMigrations } from '../../src/migrations/apply/apply-migrations.js';
import { rollbackMigrations } from '../../src/migrations/rollback/rollback-migrations.js';
import { createBenchContext } from '../bench-context.js';
import { benchStoreConfig } from '../bench-stores.js';
import { migrationBench } from '../migration-workload.js';
import { taskBatches } from '../task-workloads.js';
const options = { scenario: 'migrate-apply', store: 'sqlite' as const, docs: 100000, batch: Number(process.argv[2] ?? 500), seed: 'bench', rounds: 1, keep: false, mongoBatch: 50 };
const context = createBenchContext(options, benchStoreConfig('sqlite', `stage-${process.pid}`));
const bench = await migrationBench(context);
const baseline = await context.baseline();
await baseline.reset();
for (const batch of taskBatches(options)) await baseline.write(batch);
const ms = (u: NodeJS.CpuUsage) => Math.round((u.user + u.system) / 1000);
for (let r = 0; r < 4; r++) {
  const marks: [string, NodeJS.CpuUsage][] = [['start', process.cpuUsage()]];
  let stage = '';
  await applyMigrations({ ...bench.applyInput(), onEvent: (e: any) => { const s = e.stage ?? e.type; if (e.type === 'progress' && s !== stage) { stage = s; marks.push([s, process.cpuUsage()]); } } });
  marks.push(['end', process.cpuUsage()]);
  const parts = marks.slice(1).map(([n, u], i) => `${marks[i]![0]}→${n} ${ms(process.cpuUsage(marks[i]![1])) - ms(process.cpuUsage(u))}`);
  const t0 = process.cpuUsage();
  await rollbackMigrations(bench.rollbackInput());
  console.log(`round ${r}: ${parts.join(', ')}; rollback ${ms(process.cpuUsage(t0))}`);
}
await bench.cleanup(); await context.close();
