import type { Store } from '../src/stores/store.js';
import type { StoreConfig } from '../src/stores/store-config.js';
import type { Baseline } from './baselines/baseline.js';
import type { BenchOptions } from './bench-options.js';
import type { Phase, PhaseResult } from './measure-phase.js';

/**
 * A benchmark scenario. Each lives in its own file `bench/scenarios/<name>.ts` exporting
 * `scenario`; `bench/run.ts` finds it by name, so adding a scenario is adding one file.
 */
export interface Scenario {
  /** One line for `npm run bench -- --list`. */
  readonly description: string;
  /** Does the work, measuring the parts that count with `context.measure`. */
  run(context: BenchContext): Promise<void>;
}

/** What a scenario gets from the runner. Resources it opens here are closed by the runner. */
export interface BenchContext {
  readonly options: BenchOptions;
  /** Connection settings shared by the baseline and steward's adapter. */
  readonly config: StoreConfig;
  /** The driver baseline for the store, opened on first use. */
  baseline(): Promise<Baseline>;
  /** steward's store through `openStore`, opened on first use. */
  seam(): Promise<Store>;
  /** Runs and records a measured phase. */
  measure(label: string, work: (phase: Phase) => Promise<number>): Promise<PhaseResult>;
  /**
   * Records the median busy time of `phases` over that of `references`, all measured in this run
   * (one of each per round).
   */
  compare(phases: readonly PhaseResult[], references: readonly PhaseResult[]): void;
  /** Progress for the person watching, on stderr. */
  log(message: string): void;
  /** Records a figure that is not a phase (an estimate, a ratio to one), in the result's `notes`. */
  note(name: string, value: unknown): void;
}

/** A ratio between two phases of one run; above 1 means `phase` was slower. */
export interface Comparison {
  readonly phase: string;
  readonly against: string;
  /** Median busy time of `phase` over median busy time of `against`. */
  readonly ratio: number;
  /** The same over wall times, generation of documents included. */
  readonly wallRatio: number;
  /** The same over this process's CPU times. */
  readonly cpuRatio: number;
  /** The same over this process's CPU time plus the store server's, when measured. */
  readonly cpuWithServerRatio?: number;
  readonly rounds: number;
}
