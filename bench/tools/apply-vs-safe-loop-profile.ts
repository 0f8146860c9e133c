/**
 * Where steward's apply and rollback spend the CPU the hand-written safe loop does not (issue 17,
 * eighth pass): `applyMigrations` and `safeUpdateLoop` of the same N task documents on SQLite, then
 * `rollbackMigrations` and `safeRollback`, each under the V8 sampling profiler (node:inspector,
 * started and stopped around the call alone), printed as self time by function with, for the
 * driver's natives (`run`, `all`), the caller that ran them.
 *
 *   node --import tsx bench/tools/apply-vs-safe-loop-profile.ts [--docs N] [--batch N] [--top N]
 *
 * The profiler's own stop (`dispatch` under `post`) shows in each profile: leave it out when
 * comparing. Writes nothing but temporary SQLite files, dropped at the end.
 */
import { Session } from 'node:inspector/promises';
import { parseArgs } from 'node:util';
import { applyMigrations } from '../../src/migrations/apply/apply-migrations.js';
import { rollbackMigrations } from '../../src/migrations/rollback/rollback-migrations.js';
import { migrated } from '../migration-workload.js';
import { handWrittenCheck } from '../safe-loop-baseline.js';
import { sqliteTaskBench } from './sqlite-task-bench.js';

const { values } = parseArgs({
  options: {
    docs: { type: 'string', default: '100000' },
    batch: { type: 'string', default: '5000' },
    top: { type: 'string', default: '25' },
  },
});
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time by function (natives named with their caller), in ms, largest first. */
function selfTimes(profile: Profile): [string, number][] {
  const parent = new Map<number, ProfileNode>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const totals = new Map<string, number>();
  const name = (node: ProfileNode | undefined): string => {
    if (!node) return '?';
    const { functionName, url, lineNumber, columnNumber } = node.callFrame;
    const where = url ? ` ${url.split('/').slice(-2).join('/')}:${lineNumber + 1}:${columnNumber}` : '';
    return `${functionName || '(anonymous)'}${where}`;
  };
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]!)!;
    const native = node.callFrame.url === '' && !node.callFrame.functionName.startsWith('(');
    const key = native ? `${name(node)} under ${name(parent.get(node.id))}` : name(node);
    totals.set(key, (totals.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  }
  return [...totals].sort((a, b) => b[1] - a[1]);
}

const { options, bench, baseline, close } = await sqliteTaskBench(
  Number(values.docs),
  Number(values.batch),
  'profile',
);
const session = new Session();
try {
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  const runs: [string, () => Promise<unknown>][] = [
    ['migrate apply', () => applyMigrations(bench.applyInput())],
    [
      'baseline-safe-loop',
      () =>
        baseline.safeUpdateLoop!({
          transform: migrated,
          check: handWrittenCheck(),
          pageSize: Math.min(options.batch, 10_000),
          poll: () => undefined,
        }),
    ],
    ['migrate rollback', () => rollbackMigrations(bench.rollbackInput())],
    ['baseline-safe-loop rollback', () => baseline.safeRollback!(() => undefined)],
  ];
  for (const [label, work] of runs) {
    await session.post('Profiler.start');
    const start = process.cpuUsage();
    await work();
    const used = process.cpuUsage(start);
    const { profile } = await session.post('Profiler.stop');
    const times = selfTimes(profile as unknown as Profile);
    const total = times.reduce((sum, [, ms]) => sum + ms, 0);
    console.log(
      `\n${label}: ${Math.round((used.user + used.system) / 1000)} ms CPU, ${Math.round(total)} ms sampled`,
    );
    for (const [fn, ms] of times.slice(0, Number(values.top)))
      console.log(`${ms.toFixed(0).padStart(6)} ms ${((100 * ms) / total).toFixed(1).padStart(5)}%  ${fn}`);
  }
} finally {
  session.disconnect();
  await close();
}
