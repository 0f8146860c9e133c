import { performance } from 'node:perf_hooks';

/**
 * CPU time each spin burns: long enough to measure (a process that slept gets a core at once for
 * a few ms: 4 ms spins read 1.0 at load 13 on 2 cores, 10-40 ms ones 1.5-7.7), short enough to cost
 * little (six a pass: about 0.1 s of CPU).
 */
const spinCpuMs = 15;

/** A spin never waits longer than this for its CPU time, however busy the machine. */
const maxSpinWallMs = 400;

/**
 * How much slower than alone a CPU-bound task runs on this machine now: the wall time of a short
 * busy loop over the CPU time it got (1 alone; 5 when five runnable tasks share each core). The
 * dry run takes it around its sandbox pass, so the ETA can say what part of the pass's time was
 * waiting for a core the real apply may find free. It says nothing of a store server on another
 * machine. The median of `spins` loops: one burst of other work moves it little.
 */
export function cpuContention(spins = 3): number {
  const ratios: number[] = [];
  for (let i = 0; i < spins; i++) ratios.push(spin());
  ratios.sort((a, b) => a - b);
  return ratios[Math.floor(ratios.length / 2)] ?? 1;
}

function spin(): number {
  const wallStart = performance.now();
  const cpuStart = process.cpuUsage();
  let cpuMs = 0;
  let x = 0;
  while (cpuMs < spinCpuMs && performance.now() - wallStart < maxSpinWallMs) {
    for (let i = 0; i < 10_000; i++) x = (x * 31 + i) % 1_000_003;
    const cpu = process.cpuUsage(cpuStart);
    cpuMs = (cpu.user + cpu.system) / 1000;
  }
  // The loop's result is used, so it is not optimized away.
  if (x < 0) throw new Error('unreachable');
  return Math.max(1, (performance.now() - wallStart) / Math.max(cpuMs, 0.001));
}
