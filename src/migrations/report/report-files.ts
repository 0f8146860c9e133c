import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { sha256 } from '../../core/hash.js';
import { isJsonObject } from '../../core/json.js';
import { StewardError } from '../../errors/steward-error.js';
import type { DryRunReport } from './dry-run-report.js';
import { renderDryRunMarkdown } from './render-dry-run-markdown.js';

/** Where dry-run reports go unless `--out` says otherwise, relative to the project (the config's folder). */
export const defaultReportsDir = join('.steward', 'reports');

/**
 * The hash of a report: SHA-256 of the JSON file's exact text. It is what approvers sign next to
 * the plan hash, so an approval covers the report they read and no other; editing one byte of the
 * file changes it.
 */
export function reportHash(jsonText: string): string {
  return sha256(jsonText);
}

/** The JSON text of a report as written to its file: two-space indented, ending with a newline. */
export function reportJson(report: DryRunReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** Writes `<dir>/<plan-hash>.json` and `.md`, replacing an earlier report of the same plan. */
export function writeDryRunReport(
  report: DryRunReport,
  dir: string,
): { json: string; markdown: string; hash: string } {
  mkdirSync(dir, { recursive: true });
  const text = reportJson(report);
  const hash = reportHash(text);
  const json = join(dir, `${report.planHash}.json`);
  const markdown = join(dir, `${report.planHash}.md`);
  writeFileSync(json, text);
  writeFileSync(markdown, renderDryRunMarkdown(report, hash));
  return { json, markdown, hash };
}

/** The report file of a plan in a reports folder, whether it exists or not. */
export function reportFileFor(dir: string, planHash: string): string {
  return resolve(dir, `${planHash}.json`);
}

/**
 * Reads a dry-run report and its hash. A missing or unreadable file, or one that is not a dry-run
 * report, is an `input.invalid` error saying how to make one.
 */
export function readDryRunReport(file: string): { report: DryRunReport; hash: string } {
  if (!existsSync(file))
    throw new StewardError(
      'input.invalid',
      `no dry-run report at ${file}: run "steward migrate dry-run" first (or pass --report <file>)`,
      { file },
    );
  const text = readFileSync(file, 'utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new StewardError('input.invalid', `${file} is not JSON: ${(error as Error).message}`, { file });
  }
  if (
    !isJsonObject(parsed) ||
    parsed.format !== 'steward.migrations.dry-run/1' ||
    typeof parsed.planHash !== 'string'
  )
    throw new StewardError('input.invalid', `${file} is not a steward dry-run report`, { file });
  return { report: parsed as unknown as DryRunReport, hash: reportHash(text) };
}
