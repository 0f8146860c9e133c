import type { PhaseResult } from '../measure-phase.js';
import type { Scenario } from '../scenario.js';
import { writeBaseline, writeSeam } from '../task-workloads.js';

/** The same write through `Collection.write` (replace + upsert), as a ratio to the driver in the same run. */
export const scenario: Scenario = {
  description: 'bulk write through Collection.write, ratio to baseline-write measured in the same run',
  async run(context) {
    const baselines: PhaseResult[] = [];
    const seams: PhaseResult[] = [];
    for (let round = 0; round < context.options.rounds; round++) {
      baselines.push((await writeBaseline(context, 'baseline-write'))!);
      seams.push((await writeSeam(context, 'seam-write'))!);
    }
    context.compare(seams, baselines);
  },
};
