/**
 * The benchmark runner: `npm run bench -- <scenario> --store sqlite|mongodb|dynamodb --docs N`.
 * Finds `bench/scenarios/<scenario>.ts`, runs it, writes `bench/results/<run>.json` and prints a
 * markdown table. Exit codes as the CLI's: 2 usage, 3 store unreachable, 70 a bug.
 */

import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { ExitCode, StewardError } from '../src/errors/steward-error.js';
import { createBenchContext } from './bench-context.js';
import { benchUsage, parseBenchOptions } from './bench-options.js';
import { markdownRows, writeResult } from './bench-report.js';
import { benchStoreConfig, describeTarget, resultsDir } from './bench-stores.js';
import type { Scenario } from './scenario.js';

const scenariosDir = new URL('./scenarios/', import.meta.url);

/** Names of the scenarios, one per file in `bench/scenarios/`. */
function scenarioNames(): string[] {
  return readdirSync(scenariosDir)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => f.slice(0, -3))
    .sort();
}

async function loadScenario(name: string): Promise<Scenario> {
  if (!scenarioNames().includes(name)) {
    throw new StewardError(
      'usage',
      `no scenario "${name}"; there are: ${scenarioNames().join(', ')}\n${benchUsage}`,
    );
  }
  const module = (await import(new URL(`${name}.ts`, scenariosDir).href)) as { scenario?: Scenario };
  if (typeof module.scenario?.run !== 'function') {
    throw new Error(`bench/scenarios/${name}.ts must export "scenario" with a run(context) function`);
  }
  return module.scenario;
}

async function listScenarios(): Promise<void> {
  for (const name of scenarioNames())
    console.log(`${name.padEnd(20)} ${(await loadScenario(name)).description}`);
}

function gitCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: 'pipe' }).trim();
  } catch {
    return null;
  }
}

async function main(argv: readonly string[]): Promise<number> {
  const options = parseBenchOptions(argv);
  if (options === 'list') {
    await listScenarios();
    return ExitCode.ok;
  }
  const scenario = await loadScenario(options.scenario);
  const startedAt = new Date();
  const runId = `${options.scenario}-${options.store}-${options.docs}-${startedAt.toISOString().replace(/[:.]/g, '-')}`;
  const config = benchStoreConfig(options.store, runId);
  const rssAtStartMb = Math.round((process.memoryUsage().rss / 1048576) * 10) / 10;
  const context = createBenchContext(options, config);
  try {
    await scenario.run(context);
  } finally {
    await context.close();
  }
  const result = {
    runId,
    options,
    target: describeTarget(config),
    startedAt: startedAt.toISOString(),
    environment: {
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      cpus: cpus().length,
      commit: gitCommit(),
    },
    rssAtStartMb,
    phases: context.phases,
    comparisons: context.comparisons,
    ...(Object.keys(context.notes).length > 0 ? { notes: context.notes } : {}),
  };
  const file = writeResult(resultsDir, result);
  console.log(markdownRows(result).join('\n'));
  process.stderr.write(`[bench] result written to ${file}\n`);
  return ExitCode.ok;
}

/** Turns the outcome into an exit code; the one place that does. */
function report(error: unknown): number {
  if (error instanceof StewardError) {
    process.stderr.write(`bench: ${error.message}\n`);
    return error.exitCode;
  }
  process.stderr.write(`bench: unexpected failure\n${(error as Error)?.stack ?? String(error)}\n`);
  return ExitCode.internal;
}

main(process.argv.slice(2)).then(
  (code) => exitSoon(code),
  (error: unknown) => exitSoon(report(error)),
);

/**
 * Sets the exit code and, should a connection an adapter failed to close keep the process alive,
 * exits anyway after two seconds (the timer is unref'd, so a clean run exits at once).
 */
function exitSoon(code: number): void {
  process.exitCode = code;
  setTimeout(() => {
    process.stderr.write('[bench] something kept the process alive after the run; exiting\n');
    process.exit(code);
  }, 2000).unref();
}
