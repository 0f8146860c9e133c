import { readFileSync } from 'node:fs';
import { PerformanceObserver, performance } from 'node:perf_hooks';

/** One measured part of a scenario, as reported in the result file and the table. */
export interface PhaseResult {
  readonly label: string;
  readonly docs: number;
  /** Wall-clock time of the whole phase, less what {@link Phase.prepare} took. */
  readonly wallMs: number;
  /** Time inside {@link Phase.time} calls (the store work), or the wall time when none were made. */
  readonly busyMs: number;
  /** `docs` per second of busy time. */
  readonly docsPerSec: number;
  /**
   * CPU time (user + system) of this process during the phase, less what {@link Phase.prepare}
   * took: what a loaded machine moves least.
   */
  readonly cpuMs: number;
  /**
   * CPU time of the store server during the phase, when `STEWARD_BENCH_SERVER_PID` names its
   * process (FerretDB, DynamoDB Local); absent otherwise.
   */
  readonly serverCpuMs?: number;
  readonly rssBeforeMb: number;
  readonly peakRssMb: number;
  readonly peakHeapUsedMb: number;
  /**
   * Garbage collections during the phase (minor and major) and their pauses of the main thread,
   * from `gc` performance entries. The helper threads of a parallel scavenge are not in the pause
   * but are in {@link cpuMs} (issue 17: a batch alive across scavenges is copied, then promoted).
   */
  readonly gcCount: number;
  readonly gcPauseMs: number;
}

/** Handed to the work of a phase. */
export interface Phase {
  /** Times the store work only, so generating the documents does not count against either side. */
  time<T>(work: () => Promise<T>): Promise<T>;
  /**
   * Makes the phase's input (generates documents) outside what the phase measures: its wall and
   * CPU time are taken off the phase's. A baseline that generates the documents it writes, compared
   * with steward reading them from the store, would otherwise be charged for their generation
   * (issue 17: a third of the migration baselines' CPU was the generator's). The garbage the input
   * leaves may still be collected inside the phase.
   */
  prepare<T>(make: () => T): T;
  /**
   * Samples memory when 50 ms have passed since the last sample. A timer samples too, but it
   * cannot fire while a synchronous driver (better-sqlite3) holds the thread, so loops call this.
   */
  poll(): void;
}

const mb = (bytes: number): number => Math.round((bytes / 1048576) * 10) / 10;

/**
 * Runs `work` as a phase, sampling `rss` and `heapUsed` every 50 ms and keeping the maximum.
 * `work` returns the number of documents it handled.
 */
export async function measurePhase(
  label: string,
  work: (phase: Phase) => Promise<number>,
): Promise<PhaseResult> {
  const before = process.memoryUsage();
  let peakRss = before.rss;
  let peakHeap = before.heapUsed;
  let lastSample = performance.now();
  const sample = (): void => {
    const now = process.memoryUsage();
    peakRss = Math.max(peakRss, now.rss);
    peakHeap = Math.max(peakHeap, now.heapUsed);
    lastSample = performance.now();
  };
  const timer = setInterval(sample, 50);
  const gc = { count: 0, pauseMs: 0 };
  const countGc = (entries: readonly { duration: number }[]): void => {
    for (const entry of entries) {
      gc.count++;
      gc.pauseMs += entry.duration;
    }
  };
  const gcObserver = new PerformanceObserver((list) => countGc(list.getEntries()));
  gcObserver.observe({ entryTypes: ['gc'] });
  let busyMs = 0;
  let timed = false;
  const prepared = { wallMs: 0, cpuUs: 0 };
  const phase: Phase = {
    async time(inner) {
      timed = true;
      const start = performance.now();
      try {
        return await inner();
      } finally {
        busyMs += performance.now() - start;
      }
    },
    poll() {
      if (performance.now() - lastSample >= 50) sample();
    },
    prepare(make) {
      const start = performance.now();
      const cpu = process.cpuUsage();
      try {
        return make();
      } finally {
        const used = process.cpuUsage(cpu);
        prepared.cpuUs += used.user + used.system;
        prepared.wallMs += performance.now() - start;
      }
    },
  };
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  const serverStart = serverCpuMs();
  try {
    const docs = await work(phase);
    const wallMs = performance.now() - start - prepared.wallMs;
    const cpu = process.cpuUsage(cpuStart);
    const serverEnd = serverCpuMs();
    // Node makes a collection's entry on a later turn (an immediate after the collection), and
    // hands entries to observers later still: one turn, then the ones not yet handed are taken.
    await new Promise((resolve) => setImmediate(resolve));
    countGc(gcObserver.takeRecords());
    sample();
    const busy = timed ? busyMs : wallMs;
    return {
      label,
      docs,
      wallMs: Math.round(wallMs),
      busyMs: Math.round(busy),
      docsPerSec: Math.round(docs / (busy / 1000)),
      cpuMs: Math.round((cpu.user + cpu.system - prepared.cpuUs) / 1000),
      ...(serverStart !== undefined && serverEnd !== undefined
        ? { serverCpuMs: serverEnd - serverStart }
        : {}),
      rssBeforeMb: mb(before.rss),
      peakRssMb: mb(peakRss),
      peakHeapUsedMb: mb(peakHeap),
      gcCount: gc.count,
      gcPauseMs: Math.round(gc.pauseMs),
    };
  } finally {
    clearInterval(timer);
    gcObserver.disconnect();
  }
}

/**
 * CPU time so far of the process `STEWARD_BENCH_SERVER_PID` names, from /proc (Linux), in ms;
 * undefined when unset or unreadable. Fields 14 and 15 of /proc/<pid>/stat are user and system
 * time in clock ticks (100 a second on Linux x64).
 */
function serverCpuMs(): number | undefined {
  const pid = process.env.STEWARD_BENCH_SERVER_PID;
  return pid ? processCpuMs(pid) : undefined;
}

/** CPU time so far of process `pid` in ms, as {@link serverCpuMs} reads it; undefined when unreadable. */
export function processCpuMs(pid: string): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}
