import { createBenchContext } from '../bench-context.js';
import { benchStoreConfig } from '../bench-stores.js';
import { migrationBench } from '../migration-workload.js';
import { taskBatches } from '../task-workloads.js';

/**
 * The migration bench's N task documents in a temporary SQLite file, loaded as the migrate-apply
 * scenario loads them, for the tools that time apply and rollback in this process
 * (apply-rollback-cpu, apply-stage-cpu, apply-vs-safe-loop-profile). `ab-apply-rollback` sets up
 * its own: it loads each checkout's modules. `close` drops the file.
 */
export async function sqliteTaskBench(docs: number, batch: number, name: string) {
  const options = {
    scenario: 'migrate-apply',
    store: 'sqlite' as const,
    docs,
    batch,
    seed: 'bench',
    rounds: 1,
    keep: false,
    mongoBatch: 50,
  };
  const context = createBenchContext(options, benchStoreConfig('sqlite', `${name}-${process.pid}`));
  try {
    const bench = await migrationBench(context);
    const baseline = await context.baseline();
    await baseline.reset();
    for (const batch of taskBatches(options)) await baseline.write(batch);
    return {
      options,
      bench,
      baseline,
      async close() {
        await bench.cleanup();
        await context.close();
      },
    };
  } catch (error) {
    await context.close();
    throw error;
  }
}
