import type { Scenario } from '../scenario.js';
import { writeBaseline } from '../task-workloads.js';

/** Bulk write of N task documents straight through the driver, its best batch size. */
export const scenario: Scenario = {
  description: 'bulk write of N task documents through the driver alone',
  async run(context) {
    await writeBaseline(context, 'baseline-write');
  },
};
