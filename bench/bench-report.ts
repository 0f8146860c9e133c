import { mkdirSync, writeFileSync } from 'node:fs';
import type { BenchOptions } from './bench-options.js';
import type { PhaseResult } from './measure-phase.js';
import type { Comparison } from './scenario.js';

/** Everything one run measured, as written to `bench/results/<run>.json`. */
export interface BenchResult {
  readonly runId: string;
  readonly options: BenchOptions;
  /** Where the store was (file, URI without credentials, endpoint). */
  readonly target: string;
  readonly startedAt: string;
  readonly environment: { node: string; platform: string; cpus: number; commit: string | null };
  /** Resident memory of the process before the scenario started. */
  readonly rssAtStartMb: number;
  readonly phases: readonly PhaseResult[];
  readonly comparisons: readonly Comparison[];
  /** What the scenario recorded besides timings (counts, verdicts); empty for most. */
  readonly findings: Readonly<Record<string, unknown>>;
}

/** Writes the result file and returns its path. */
export function writeResult(dir: string, result: BenchResult): string {
  mkdirSync(dir, { recursive: true });
  const file = `${dir}${result.runId}.json`;
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

const header = [
  '| scenario | store | docs | phase | docs/s | busy s | wall s | CPU s | server CPU s | peak RSS MB | peak heap MB | RSS before MB | ratio | CPU ratio | CPU+server ratio | GC pause s (count) |',
  '|---|---|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
];

/** The markdown table of a run: the header, then one row per measured phase. */
export function markdownRows(result: BenchResult, withHeader = true): string[] {
  const { scenario, store } = result.options;
  const rows = result.phases.map((p, i) => {
    const last = !result.phases.slice(i + 1).some((later) => later.label === p.label);
    const comparison = last ? result.comparisons.find((c) => c.phase === p.label) : undefined;
    const fixed = (n: number | undefined) => (n === undefined ? '' : n.toFixed(2));
    const cells = [
      scenario,
      store,
      p.docs,
      p.label,
      p.docsPerSec.toLocaleString('en-US'),
      (p.busyMs / 1000).toFixed(2),
      (p.wallMs / 1000).toFixed(2),
      (p.cpuMs / 1000).toFixed(2),
      p.serverCpuMs === undefined ? '' : (p.serverCpuMs / 1000).toFixed(2),
      p.peakRssMb,
      p.peakHeapUsedMb,
      p.rssBeforeMb,
      fixed(comparison?.ratio),
      fixed(comparison?.cpuRatio),
      fixed(comparison?.cpuWithServerRatio),
      // Result files written before the GC figures have none.
      p.gcPauseMs === undefined ? '' : `${(p.gcPauseMs / 1000).toFixed(2)} (${p.gcCount})`,
    ];
    return `| ${cells.join(' | ')} |`;
  });
  const table = withHeader ? [...header, ...rows] : rows;
  const findings = Object.entries(result.findings).map(
    ([name, value]) => `${name}: ${JSON.stringify(value)}`,
  );
  return [...table, '', ...result.comparisons.map(comparisonLine), ...findings];
}

/** One comparison in words: every ratio of it, busy, CPU (with the server's when measured) and wall. */
function comparisonLine(c: Comparison): string {
  const server =
    c.cpuWithServerRatio === undefined ? '' : `, CPU with server ${c.cpuWithServerRatio.toFixed(2)}`;
  return `${c.phase} / ${c.against} (median of ${c.rounds}): busy ${c.ratio.toFixed(2)}, CPU ${c.cpuRatio.toFixed(2)}${server}, wall ${c.wallRatio.toFixed(2)}`;
}
