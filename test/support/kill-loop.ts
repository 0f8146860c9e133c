/**
 * The driver of the kill -9 tests: runs a job in child processes and SIGKILLs the first few of
 * them mid-run, until one finishes. A child is `node --import tsx <script> '<json args>'`, prints
 * one JSON line per batch (`{"progress": n}`) and, at the end, `{"report": ...}`.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import type { StoreKind } from '../../src/stores/store.js';
import { selectedKinds } from './test-stores.js';

/** A random integer in [min, max]. */
export const between = (min: number, max: number) => min + Math.floor(Math.random() * (max - min + 1));

/** The stores kill tests run on: SQLite and DynamoDB Local unless STEWARD_CRASH_STORES says otherwise. */
export function crashKinds(): StoreKind[] {
  const wanted = (process.env.STEWARD_CRASH_STORES ?? 'sqlite,dynamodb').split(',').map((s) => s.trim());
  return selectedKinds().filter((k) => wanted.includes(k));
}

export interface KillLoop {
  /** The child script, a path. */
  readonly script: string;
  /** Passed to every child as its one argument, as JSON. */
  readonly args: unknown;
  /** How many children are killed before one is let run to the end. */
  readonly kills: number;
  /** The longest wait, in ms, after the chosen progress line before the kill. */
  readonly maxDelayMs: number;
  /** Names the job in assertion messages. */
  readonly label: string;
}

/**
 * Runs children until one finishes: each of the first `kills` is killed after 1 to 3 progress
 * lines plus up to `maxDelayMs` (so kills land anywhere in a batch: between an image and its write,
 * a write and its checkpoint...); a child that printed its report before the kill landed counts as
 * finished. Returns the final report and how many children were killed.
 */
export async function runWithKills<R>(loop: KillLoop): Promise<{ report: R; killed: number }> {
  let killed = 0;
  for (;;) {
    const proc = spawn(process.execPath, ['--import', 'tsx', loop.script, JSON.stringify(loop.args)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = once(proc, 'exit');
    const killAfter = killed < loop.kills ? between(1, 3) : Number.POSITIVE_INFINITY;
    let seen = 0;
    let report: R | undefined;
    for await (const line of createInterface({ input: proc.stdout! })) {
      const parsed = JSON.parse(line) as { progress?: number; report?: R };
      if (parsed.report) report = parsed.report;
      if (parsed.progress !== undefined && ++seen === killAfter) {
        await sleep(between(0, loop.maxDelayMs));
        proc.kill('SIGKILL');
        break;
      }
    }
    const [code, signal] = (await exited) as [number | null, string | null];
    if (signal === 'SIGKILL' && !report) {
      killed++;
      continue;
    }
    assert.equal(code, 0, `the ${loop.label} child failed`);
    assert.ok(report, `the ${loop.label} child printed its report`);
    return { report, killed };
  }
}
