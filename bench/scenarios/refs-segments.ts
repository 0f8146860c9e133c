import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { StewardError } from '../../src/errors/steward-error.js';
import { openLedger } from '../../src/ledger/ledger.js';
import type { Segment } from '../../src/stores/store.js';
import type { PhaseResult } from '../measure-phase.js';
import { expectedOrphans, loadRefsWorkload, refsSourceSpec, refsTargetSpec } from '../refs-workloads.js';
import type { BenchContext, Scenario } from '../scenario.js';

const child = fileURLToPath(new URL('../refs-segment-child.ts', import.meta.url));

interface ChildResult {
  readonly scanned: number;
  readonly orphans: number;
  readonly startedAt: number;
  readonly endedAt: number;
}

/**
 * `refs scan` of the `refs-scan` workload in separate processes against the same data: once as one
 * process scanning everything, then as segments 0/2 and 1/2 in two processes started together.
 * Each phase's time runs from the first scan's start to the last one's end, as the children
 * report them (process start-up and store connection are outside it); the log prints the
 * throughput of two segments over one process. Each process keeps its own lease and checkpoint,
 * and the incidents go to the one ledger.
 */
export const scenario: Scenario = {
  description: 'refs scan as one process, then as segments 0/2 and 1/2 in two processes; throughput ratio',
  async run(context) {
    const store = await context.seam();
    context.log(
      `loading ${context.options.docs} sources and ${context.options.docs / 5} targets (not measured)`,
    );
    await loadRefsWorkload(context, store);
    const ledger = await openLedger(store, { actor: 'bench', namespacePrefix: 'bench_refs_' });
    try {
      const one: PhaseResult[] = [];
      const two: PhaseResult[] = [];
      for (let round = 0; round < context.options.rounds; round++) {
        one.push(await scanInProcesses(context, 'one-process', [undefined]));
        two.push(
          await scanInProcesses(context, 'two-segments', [
            { index: 0, total: 2 },
            { index: 1, total: 2 },
          ]),
        );
      }
      const median = (phases: PhaseResult[]) =>
        phases.map((p) => p.docsPerSec).sort((a, b) => a - b)[Math.floor(phases.length / 2)] ?? 0;
      context.log(
        `throughput of two segments in two processes over one process (median rounds): ` +
          `${median(two)} / ${median(one)} docs/s = ${(median(two) / median(one)).toFixed(2)}x`,
      );
    } finally {
      if (!context.options.keep) {
        await ledger.drop();
        await store.dropCollection(refsSourceSpec);
        await store.dropCollection(refsTargetSpec(store));
      }
    }
  },
};

/** Starts one child per segment, lets them all go at once, and times them from first start to last end. */
async function scanInProcesses(
  context: BenchContext,
  label: string,
  segments: readonly (Segment | undefined)[],
): Promise<PhaseResult> {
  const children = segments.map((segment) => startChild(context, segment));
  try {
    await Promise.all(children.map((c) => c.next()));
    let results: ChildResult[] = [];
    const measured = await context.measure(label, async (phase) => {
      results = await phase.time(async () => {
        for (const c of children) c.proc.stdin!.write('go\n');
        return Promise.all(children.map(async (c) => JSON.parse(await c.next()) as ChildResult));
      });
      return results.reduce((n, r) => n + r.scanned, 0);
    });
    const orphans = results.reduce((n, r) => n + r.orphans, 0);
    if (orphans !== expectedOrphans(context.options.docs))
      throw new StewardError(
        'store.failed',
        `${label}: ${orphans} orphans found, expected ${expectedOrphans(context.options.docs)}`,
      );
    // The children's own clocks: start-up excluded, both scans included however they overlap.
    const spanMs = Math.max(...results.map((r) => r.endedAt)) - Math.min(...results.map((r) => r.startedAt));
    const docs = measured.docs;
    const each = results.map((r) => `${r.scanned} in ${Math.round(r.endedAt - r.startedAt)} ms`).join(', ');
    context.log(
      `${label}: ${docs} documents in ${Math.round(spanMs)} ms of scanning, ${Math.round(docs / (spanMs / 1000))} docs/s (${each})`,
    );
    return { ...measured, busyMs: Math.round(spanMs), docsPerSec: Math.round(docs / (spanMs / 1000)) };
  } finally {
    for (const c of children) if (c.proc.exitCode === null) c.proc.kill();
  }
}

function startChild(context: BenchContext, segment: Segment | undefined) {
  const args = JSON.stringify({ store: context.config, ...(segment ? { segment } : {}) });
  const proc: ChildProcess = spawn(process.execPath, ['--import', 'tsx', child, args], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: proc.stdout! });
  const queue: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  lines.on('line', (line) => {
    const wake = waiting.shift();
    if (wake) wake(line);
    else queue.push(line);
  });
  const exited = once(proc, 'exit').then(([code]) => {
    throw new StewardError('store.failed', `a refs scan child exited with code ${code} before answering`);
  });
  exited.catch(() => undefined);
  /** The child's next line of output; fails if it exits first. */
  const next = (): Promise<string> => {
    const line = queue.shift();
    if (line !== undefined) return Promise.resolve(line);
    return Promise.race([new Promise<string>((resolve) => waiting.push(resolve)), exited]);
  };
  return { proc, next };
}
