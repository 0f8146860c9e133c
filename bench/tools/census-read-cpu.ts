/**
 * The read of rollback's census on SQLite, the two ways (issue 17, tenth pass): every page's
 * documents parsed whole beside their stored texts, against the version field projected inside
 * SQLite beside the texts, each summed into a `stored-text` checksum as the census sums it.
 * Alternated R times in one process over the same N task documents; prints the CPU of each and the
 * medians. The checksums of the two ways must agree (the tool stops if they do not).
 *
 *   node --import tsx bench/tools/census-read-cpu.ts [--docs N] [--rounds R] [--nested]
 *
 * The documents are the bench's task documents (about 200 bytes, flat), or with `--nested` about
 * 300 bytes with a nested object and an array, as users' documents often are: the projection
 * spares the JavaScript objects of a parse, which flat documents barely have (issue 17, tenth
 * pass: no difference on the tasks, about 30% less CPU on the nested ones).
 *
 * Writes nothing but a temporary SQLite file, dropped at the end.
 */
import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { JsonObject } from '../../src/core/json.js';
import { ChecksumAccumulator } from '../../src/migrations/collection-checksum.js';
import { openStore } from '../../src/stores/open-store.js';
import { scanPages } from '../../src/stores/scan-pages.js';
import { benchStoreConfig } from '../bench-stores.js';
import { seamSpec, taskBatches } from '../task-workloads.js';

const { values } = parseArgs({
  options: {
    docs: { type: 'string', default: '100000' },
    rounds: { type: 'string', default: '8' },
    nested: { type: 'boolean', default: false },
  },
});

/** A task with a nested assignee and tags, about 300 bytes. */
function nestedTask(task: JsonObject): JsonObject {
  const n = Number(String(task.id).slice(5));
  return {
    ...task,
    assignee: {
      name: `Agent ${n % 97}`,
      team: n % 2 === 0 ? 'billing' : 'claims',
      shift: { start: 8, end: 16 },
    },
    tags: ['follow-up', n % 3 === 0 ? 'urgent' : 'routine', `case-${n % 1000}`],
  };
}
const docs = Number(values.docs);
const config = benchStoreConfig('sqlite', `census-${process.pid}`);
const store = await openStore(config);
try {
  await store.ensureCollection(seamSpec);
  const tasks = store.collection(seamSpec);
  for (const batch of taskBatches({ docs, batch: 5000, seed: 'bench' }))
    await tasks.write(
      batch.map((doc) => ({ type: 'insert' as const, doc: values.nested ? nestedTask(doc) : doc })),
    );

  const read = async (projected: boolean) => {
    const start = process.cpuUsage();
    const sum = ChecksumAccumulator.from(undefined, 'stored-text');
    let versioned = 0;
    const shape = projected ? { fields: ['schemaVersion'] } : {};
    for await (const page of scanPages(tasks, { limit: 5000, texts: true, ...shape }))
      for (let i = 0; i < page.docs.length; i++) {
        if (page.docs[i]!.schemaVersion !== undefined) versioned++;
        sum.add(page.docs[i]!, page.texts![i]);
      }
    const used = process.cpuUsage(start);
    return { ms: Math.round((used.user + used.system) / 1000), hash: sum.result(), versioned };
  };
  const times = { whole: [] as number[], projected: [] as number[] };
  for (let r = 0; r < Number(values.rounds); r++) {
    const whole = await read(false);
    const projected = await read(true);
    if (
      JSON.stringify([whole.hash, whole.versioned]) !== JSON.stringify([projected.hash, projected.versioned])
    )
      throw new Error('the two reads disagree: the projection lost or changed something');
    times.whole.push(whole.ms);
    times.projected.push(projected.ms);
    console.log(`round ${r + 1}: whole ${whole.ms} ms CPU, projected ${projected.ms} ms CPU`);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`median: whole ${median(times.whole)} ms, projected ${median(times.projected)} ms`);
} finally {
  await store.close();
  if (config.kind === 'sqlite')
    for (const end of ['', '-wal', '-shm']) rmSync(`${config.file}${end}`, { force: true });
}
