import type { Scenario } from '../scenario.js';
import { expectAll, writeBaseline } from '../task-workloads.js';

/** Full scan of N task documents straight through the driver, counting them. */
export const scenario: Scenario = {
  description: 'full scan of N task documents through the driver alone',
  async run(context) {
    context.log(`loading ${context.options.docs} documents (not measured)`);
    await writeBaseline(context);
    const baseline = await context.baseline();
    expectAll(context, await context.measure('baseline-scan', async (phase) => baseline.scan(phase.poll)));
  },
};
