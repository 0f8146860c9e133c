/**
 * How long a reference scan blocks the event loop per turn, by page size (issue 16: a server job
 * shares the loop with the read routes). Runs `refsScan` in this process over a copy of the cached
 * serve-load example (run `npm run bench -- serve-load --store sqlite --docs N` once first) with
 * `perf_hooks.monitorEventLoopDelay` (1 ms resolution) on, once per `--batch`, and prints the
 * delay percentiles, the CPU time and the documents scanned. A bench, not a test.
 *
 *   node --import tsx bench/scan-loop-turns.ts --docs 1000000 --batch 1000,250 [--references cases.lead.officerId]
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/load-config.js';
import { demoApprovers, writeDemoConfig } from '../src/demo/demo-project.js';
import { writeExampleContracts } from '../src/example/example-contracts.js';
import { approvalsKeygen } from '../src/workspace/approvals.js';
import { refsScan } from '../src/workspace/integrity/refs-scan.js';
import { resultsDir } from './bench-stores.js';

const { values } = parseArgs({
  options: {
    docs: { type: 'string', default: '1000000' },
    seed: { type: 'string', default: 'bench' },
    batch: { type: 'string', default: '1000,250' },
    references: { type: 'string' },
  },
});
const cached = join(resultsDir, 'cache', `example-${values.docs}-seed-${values.seed}.sqlite`);

for (const batch of values.batch!.split(',').map(Number)) {
  const dir = mkdtempSync(join(tmpdir(), 'steward-loop-turns-'));
  try {
    const file = join(dir, 'steward.sqlite');
    copyFileSync(cached, file);
    mkdirSync(join(dir, 'migrations'));
    mkdirSync(join(dir, 'keys'));
    for (const approver of demoApprovers) approvalsKeygen({ out: join(dir, 'keys', approver.name) });
    writeExampleContracts(join(dir, 'contracts'));
    const config = await loadConfig({ path: writeDemoConfig(dir, file) });
    const references = values.references?.split(',');
    const delay = monitorEventLoopDelay({ resolution: 1 });
    const cpu = process.cpuUsage();
    const started = performance.now();
    delay.enable();
    const result = await refsScan(
      config,
      { batch, ...(references ? { references } : {}) },
      { actor: 'bench' },
    );
    delay.disable();
    const used = process.cpuUsage(cpu);
    const ms = (ns: number) => (ns / 1e6).toFixed(1);
    console.log(
      `batch ${batch}: ${result.references.reduce((n, r) => n + ('scanned' in r ? r.scanned : 0), 0)} documents in ` +
        `${((performance.now() - started) / 1000).toFixed(1)} s wall, ${((used.user + used.system) / 1e6).toFixed(1)} s CPU; ` +
        `event-loop delay p50 ${ms(delay.percentile(50))} ms, p99 ${ms(delay.percentile(99))} ms, ` +
        `p99.9 ${ms(delay.percentile(99.9))} ms, max ${ms(delay.max)} ms`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
