import type { PhaseResult } from '../measure-phase.js';
import type { Scenario } from '../scenario.js';
import { expectAll, scanSeam, writeBaseline, writeSeam } from '../task-workloads.js';

/** The same full scan through `Collection.scan` pages, as a ratio to the driver scan in the same run. */
export const scenario: Scenario = {
  description: 'full scan through Collection.scan, ratio to baseline-scan measured in the same run',
  async run(context) {
    context.log(`loading ${context.options.docs} documents twice, driver and seam (not measured)`);
    await writeBaseline(context);
    await writeSeam(context);
    const driver = await context.baseline();
    const baselines: PhaseResult[] = [];
    const seams: PhaseResult[] = [];
    for (let round = 0; round < context.options.rounds; round++) {
      baselines.push(
        expectAll(context, await context.measure('baseline-scan', (phase) => driver.scan(phase.poll))),
      );
      seams.push(expectAll(context, await context.measure('seam-scan', (phase) => scanSeam(context, phase))));
    }
    context.compare(seams, baselines);
  },
};
