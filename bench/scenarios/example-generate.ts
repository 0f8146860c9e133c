import { exampleCollectionNames } from '../../src/example/case-management-model.js';
import { exampleSpec, generateExample } from '../../src/example/generate-example.js';
import type { Scenario } from '../scenario.js';

const namePrefix = 'bench_example_';

/**
 * The whole case-management example written through the seam by `generateExample`, with a few
 * faults: its throughput, and its peak memory, which must stay flat however large `--docs` is.
 */
export const scenario: Scenario = {
  description: 'generateExample through the seam: N documents over 9 collections, memory must stay flat',
  async run(context) {
    const store = await context.seam();
    const specs = exampleCollectionNames.map((name) => exampleSpec(name, namePrefix));
    for (const spec of specs) await store.dropCollection(spec);
    try {
      await context.measure('example-generate', async (phase) => {
        const manifest = await generateExample(store, {
          docs: context.options.docs,
          seed: context.options.seed,
          batchSize: context.options.batch,
          namePrefix,
          faults: { orphans: 100, drift: 100, badShape: 100 },
          onProgress: () => phase.poll(),
        });
        context.log(`wrote ${manifest.total} documents, ${manifest.faults.length} faults`);
        return manifest.total;
      });
    } finally {
      if (!context.options.keep) for (const spec of specs) await store.dropCollection(spec);
    }
  },
};
