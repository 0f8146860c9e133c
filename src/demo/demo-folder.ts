import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { formatCount } from '../core/format-count.js';
import { StewardError } from '../errors/steward-error.js';

/**
 * The file that marks a folder as the demo's own. It lists every file and folder the last run
 * wrote, so the next run removes exactly those and nothing else.
 */
export const demoMarkerName = '.steward-demo.json';

const tool = 'steward demo';
const note =
  'Made by steward demo, which rebuilds this folder on every run: it removes exactly the entries ' +
  'listed here, and refuses to run while anything else is in the folder.';

/**
 * What the demo writes beside its SQLite file. An interrupted run never listed its entries, so
 * the next one may remove these names (and nothing else) from a folder marked as the demo's.
 */
const demoLayout = [
  'steward.config.json',
  'keys',
  'contracts',
  'migrations',
  'proposals',
  '.steward',
  'data-flow.svg',
  'data-flow.md',
];

/** The SQLite file's companions, which come and go with it. */
const sqliteSuffixes = ['-wal', '-shm', '-journal'];

interface Marker {
  readonly tool: typeof tool;
  readonly note: string;
  /** The SQLite file's name in the folder. */
  readonly database: string;
  /** False until the run finished: an interrupted run listed nothing. */
  readonly complete: boolean;
  /** Relative paths, folders ending in `/`. */
  readonly entries: readonly string[];
}

/** The folder the demo builds in, claimed for this run. */
export interface DemoFolder {
  readonly dir: string;
  /** True when this run created the folder; false when it was empty or the demo's own. */
  readonly created: boolean;
  /** What an earlier run of the demo had written there and this one removed. */
  readonly removed: readonly string[];
  /** Lists what the run wrote in the marker, for the next run; returns those paths. */
  finish(): string[];
}

/**
 * Claims the folder of the demo's SQLite `file`: a folder that does not exist yet (created), an
 * empty one, or one an earlier run of the demo marked as its own, from which that run's entries
 * are removed. Anything else is refused with a `usage` error naming what is in the way, before
 * anything is written or removed: the demo must never replace a user's files. The marker is
 * written first, so even an interrupted run leaves a folder the next run recognises.
 */
export function claimDemoFolder(file: string): DemoFolder {
  const dir = dirname(file);
  const database = basename(file);
  const created = !existsSync(dir);
  let removed: string[] = [];
  if (!created) {
    if (!statSync(dir).isDirectory()) throw refusal(`${dir} is a file, not a folder`, file);
    const entries = walk(dir).filter((e) => e !== demoMarkerName);
    const marker = readMarker(dir);
    if (entries.length > 0 && !marker)
      throw refusal(
        `${dir} is not empty and was not made by the demo: it holds ${list(topLevel(entries))}`,
        file,
      );
    if (existsSync(file) && statSync(file).isDirectory())
      throw refusal(`${file} is a folder, not a SQLite file`, file);
    if (marker) {
      const stray = entries.filter((e) => !madeByDemo(e, marker));
      if (stray.length > 0) throw strays(dir, outermost(stray));
      removed = entries;
      for (const name of topLevel(entries)) rmSync(join(dir, name), { recursive: true, force: true });
    }
  }
  mkdirSync(dir, { recursive: true });
  writeMarker(dir, { database, complete: false, entries: [] });
  return {
    dir,
    created,
    removed,
    finish() {
      const entries = walk(dir).filter((e) => e !== demoMarkerName);
      writeMarker(dir, { database, complete: true, entries });
      return entries;
    },
  };
}

function madeByDemo(entry: string, marker: Marker): boolean {
  const top = entry.split('/')[0]!;
  const database = sqliteSuffixes.some((s) => top === `${marker.database}${s}`) || top === marker.database;
  if (database) return true;
  if (marker.complete) return marker.entries.includes(entry);
  return demoLayout.includes(top);
}

function readMarker(dir: string): Marker | undefined {
  const path = join(dir, demoMarkerName);
  if (!existsSync(path)) return undefined;
  try {
    const marker = JSON.parse(readFileSync(path, 'utf8')) as Partial<Marker>;
    const valid =
      marker.tool === tool &&
      typeof marker.database === 'string' &&
      typeof marker.complete === 'boolean' &&
      Array.isArray(marker.entries) &&
      marker.entries.every((e) => typeof e === 'string');
    return valid ? (marker as Marker) : undefined;
  } catch {
    return undefined;
  }
}

function writeMarker(dir: string, fields: Pick<Marker, 'database' | 'complete' | 'entries'>): void {
  const marker: Marker = { tool, note, ...fields };
  writeFileSync(join(dir, demoMarkerName), `${JSON.stringify(marker, null, 2)}\n`);
}

/** Every file and folder under `dir`, relative, sorted, folders ending in `/`. */
function walk(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const path = `${prefix}${entry.name}`;
    if (entry.isDirectory()) out.push(`${path}/`, ...walk(dir, `${path}/`));
    else out.push(path);
  }
  return out.sort();
}

/** Drops entries inside a folder that is itself listed, so a stray folder is named once. */
function outermost(entries: readonly string[]): string[] {
  return entries.filter(
    (e) => !entries.some((other) => other !== e && other.endsWith('/') && e.startsWith(other)),
  );
}

function topLevel(entries: readonly string[]): string[] {
  return [...new Set(entries.map((e) => e.split('/')[0]!))];
}

function list(names: readonly string[]): string {
  const shown = names.slice(0, 8).join(', ');
  return names.length > 8 ? `${shown} and ${formatCount(names.length - 8)} more` : shown;
}

function refusal(why: string, file: string): StewardError {
  return new StewardError(
    'usage',
    `steward demo builds in a folder of its own, and ${why}. Nothing was written. Point --file into a ` +
      `new or empty folder, such as --file demo/steward.sqlite, or leave --file out (default ` +
      `.steward/demo/steward.sqlite).`,
    { file },
  );
}

function strays(dir: string, stray: readonly string[]): StewardError {
  return new StewardError(
    'usage',
    `${dir} was made by steward demo, but it also holds ${list(stray)}, which the demo did not write. ` +
      'Nothing was removed or written. Move those elsewhere, or delete the folder to start over.',
    { dir, stray },
  );
}
