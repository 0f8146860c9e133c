import { rmSync } from 'node:fs';
import { StewardError } from '../src/errors/steward-error.js';
import { openStore } from '../src/stores/open-store.js';
import type { Store } from '../src/stores/store.js';
import type { StoreConfig } from '../src/stores/store-config.js';
import { type Baseline, openBaseline } from './baselines/baseline.js';
import type { BenchOptions } from './bench-options.js';
import { measurePhase, type PhaseResult } from './measure-phase.js';
import type { BenchContext, Comparison } from './scenario.js';
import { seamSpec } from './task-workloads.js';

/** A context plus what the runner reads back and the cleanup it owes. */
export interface RunningContext extends BenchContext {
  readonly phases: PhaseResult[];
  readonly comparisons: Comparison[];
  readonly findings: Record<string, unknown>;
  /** Drops what the run made (unless --keep) and closes connections. Never throws. */
  close(): Promise<void>;
}

/** Creates the context a scenario runs in; connections are opened lazily, once. */
export function createBenchContext(options: BenchOptions, config: StoreConfig): RunningContext {
  let baseline: Promise<Baseline> | undefined;
  let seam: Promise<Store> | undefined;
  const phases: PhaseResult[] = [];
  const comparisons: Comparison[] = [];
  const findings: Record<string, unknown> = {};
  const log = (message: string): void => {
    process.stderr.write(`[bench] ${message}\n`);
  };
  return {
    options,
    config,
    phases,
    comparisons,
    findings,
    log,
    record(name, value) {
      findings[name] = value;
      log(`${name}: ${JSON.stringify(value)}`);
    },
    baseline: () => {
      baseline ??= openBaseline(config);
      return baseline;
    },
    seam: () => {
      seam ??= openSeam(config);
      return seam;
    },
    async measure(label, work) {
      log(`${label}: ${options.docs} documents on ${options.store}`);
      const result = await measurePhase(label, work);
      phases.push(result);
      return result;
    },
    compare(measured, references) {
      const ratio = (pick: (p: PhaseResult) => number) =>
        Math.round((median(measured.map(pick)) / median(references.map(pick))) * 100) / 100;
      comparisons.push({
        phase: measured[0]?.label ?? '',
        against: references[0]?.label ?? '',
        ratio: ratio((p) => p.busyMs),
        wallRatio: ratio((p) => p.wallMs),
        cpuRatio: ratio((p) => p.cpuMs),
        ...([...measured, ...references].every((p) => p.serverCpuMs !== undefined)
          ? { cpuWithServerRatio: ratio((p) => p.cpuMs + (p.serverCpuMs ?? 0)) }
          : {}),
        rounds: measured.length,
      });
    },
    async close() {
      const quietly = async (what: string, work: () => Promise<unknown>) => {
        try {
          await work();
        } catch (error) {
          log(`cleanup: ${what} failed: ${(error as Error).message}`);
        }
      };
      const opened = [baseline, seam].map((p) => p?.catch(() => undefined));
      const [driver, store] = (await Promise.all(opened)) as [Baseline | undefined, Store | undefined];
      if (driver && !options.keep) await quietly('dropping the baseline table', () => driver.drop());
      if (store && !options.keep)
        await quietly('dropping the seam collection', () => store.dropCollection(seamSpec));
      if (driver) await quietly('closing the baseline', () => driver.close());
      if (store) await quietly('closing the store', () => store.close());
      if (config.kind === 'sqlite' && !options.keep) {
        for (const suffix of ['', '-wal', '-shm']) rmSync(`${config.file}${suffix}`, { force: true });
      }
    },
  };
}

/** The median of some figures (of two middles, their mean): every ratio the bench reports uses it. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Opens steward's store and checks it answers. A missing adapter module is reported as such
 * (the baseline scenarios work without it); any other failure to open is the store not answering.
 */
async function openSeam(config: StoreConfig): Promise<Store> {
  let store: Store;
  try {
    store = await openStore(config);
  } catch (error) {
    if (
      (error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' &&
      /-store\.(js|ts)/.test(String(error))
    ) {
      throw new StewardError(
        'store.unsupported',
        `steward's ${config.kind} adapter (src/stores/${config.kind}/) is not there yet; the baseline-* scenarios run without it.`,
      );
    }
    throw unreachable(config, error);
  }
  try {
    await store.ping();
  } catch (error) {
    await store.close().catch(() => undefined);
    throw unreachable(config, error);
  }
  return store;
}

/** Failures to open are the store not answering, unless they are steward's own or a plain bug. */
function unreachable(config: StoreConfig, error: unknown): unknown {
  if (error instanceof StewardError) return error;
  if (error instanceof TypeError || error instanceof ReferenceError || error instanceof SyntaxError)
    return error;
  return new StewardError(
    'store.unreachable',
    `the ${config.kind} store did not answer: ${(error as Error).message}`,
    {},
    { cause: error },
  );
}
