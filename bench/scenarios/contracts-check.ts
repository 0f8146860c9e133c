import { checkContracts } from '../../src/contracts/check/check-contracts.js';
import { checkCompatibility } from '../../src/contracts/compatibility/check-compatibility.js';
import type { Scenario } from '../scenario.js';
import { type SyntheticHistories, syntheticHistories } from '../synthetic-contracts.js';

const collections = 1000;
const versions = 10;

/**
 * `contracts check` over 1,000 collections of 10 versions each: pure, no store is opened and
 * `--docs` is ignored (the table's docs column counts collections). Two phases: `checkContracts`
 * with the first 9 versions as the baseline and all 10 as current, which is what the command
 * runs; and `checkCompatibility` over each collection's 10 versions in its mode (the default,
 * full-transitive and lenient), the schema core alone. Target: under 2 s.
 */
export const scenario: Scenario = {
  description: 'contracts check of 1,000 synthetic collections x 10 versions (pure; --docs ignored)',
  async run(context) {
    let histories: SyntheticHistories | undefined;
    await context.measure('build-contracts', async () => {
      histories = syntheticHistories(collections, versions, context.options.seed);
      return histories.current.length;
    });
    const { baseline, current } = histories!;
    for (let round = 0; round < context.options.rounds; round++) {
      await context.measure('contracts-check', async () => {
        const report = checkContracts({ baseline, current, asOf: '2026-11-22' });
        context.log(`contracts-check: ${report.failing} failing findings`);
        return report.collections.length;
      });
      await context.measure('check-compatibility', async () => {
        let violations = 0;
        for (const contract of current) {
          const { mode, semantics } = contract.compatibility;
          const result = checkCompatibility({
            versions: contract.versions.map((v) => v.resolved),
            mode,
            semantics,
          });
          violations += result.violations.length;
        }
        context.log(`check-compatibility: ${violations} violations`);
        return current.length;
      });
    }
  },
};
