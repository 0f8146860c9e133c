/**
 * The driver of the kill -9 tests: runs a job in child processes and SIGKILLs the first few of
 * them mid-run, until one finishes. A child script (TypeScript) prints one JSON line per batch
 * (`{"progress": n}`) and, at the end, `{"report": ...}`; it is bundled once into plain
 * JavaScript and each child runs `node <bundle> '<json args>'`.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { build } from 'esbuild';
import type { StoreKind } from '../../src/stores/store.js';
import { selectedKinds } from './test-stores.js';

/** A random integer in [min, max]. */
export const between = (min: number, max: number) => min + Math.floor(Math.random() * (max - min + 1));

/**
 * The stores kill tests run on, of those selected: `defaults` (SQLite and DynamoDB Local unless the
 * test says otherwise) unless STEWARD_CRASH_STORES names others.
 */
export function crashKinds(defaults: readonly StoreKind[] = ['sqlite', 'dynamodb']): StoreKind[] {
  const wanted = process.env.STEWARD_CRASH_STORES?.split(',').map((s) => s.trim()) ?? defaults;
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
  /**
   * After how many progress lines, at least and at most, a child is killed (default 1 to 3). A
   * stage's first line may come before its first write: a test that must kill after some work
   * starts at 2.
   */
  readonly lines?: readonly [number, number];
  /** Names the job in assertion messages. */
  readonly label: string;
}

/**
 * Runs children until one finishes: each of the first `kills` is killed after 1 to 3 progress
 * lines (or `lines`) plus up to `maxDelayMs` (so kills land anywhere in a batch: between an image
 * and its write, a write and its checkpoint...); a child that printed its report before the kill
 * landed counts as finished. Returns the final report and how many children were killed.
 */
export async function runWithKills<R>(loop: KillLoop): Promise<{ report: R; killed: number }> {
  const script = await bundled(loop.script);
  let killed = 0;
  for (;;) {
    const proc = spawn(process.execPath, [script, JSON.stringify(loop.args)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = once(proc, 'exit');
    const [fewest, most] = loop.lines ?? [1, 3];
    const killAfter = killed < loop.kills ? between(fewest, most) : Number.POSITIVE_INFINITY;
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

const bundles = new Map<string, Promise<string>>();
/** Where bundles go: inside node_modules, so the bundle's package imports resolve as the script's do. */
const bundleDir = join(import.meta.dirname, '../../node_modules/.steward-kill-children');

/**
 * The child script and what it imports from steward, bundled into one JavaScript file (packages
 * stay imports), once per script and test process. A child run through `tsx` spent about 1.3 s of
 * CPU compiling and loading before its first batch, ten times a bundle's; at 46 children per
 * store that was most of a crash test's time, and more than the kills' work on a loaded machine.
 */
function bundled(script: string): Promise<string> {
  let bundle = bundles.get(script);
  if (!bundle) {
    const outfile = join(bundleDir, `${basename(script, '.ts')}-${process.pid}.mjs`);
    bundle = build({
      entryPoints: [script],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      logLevel: 'error',
    }).then(() => {
      process.once('exit', () => rmSync(outfile, { force: true }));
      return outfile;
    });
    bundles.set(script, bundle);
  }
  return bundle;
}
