/** Runs the built steward CLI (dist/, as users get it) in a folder and captures what it says. */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const stewardBin = join(import.meta.dirname, '../../dist/cli/main.js');

export interface StewardRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function runSteward(
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<StewardRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [stewardBin, ...args], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => {
      stdout += b;
    });
    child.stderr.on('data', (b) => {
      stderr += b;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 0), stdout, stderr });
    });
  });
}

/** A fresh folder holding a steward.config.ts with the given body (the defineConfig argument). */
export function projectWithConfig(body: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'steward-cli-'));
  writeFileSync(
    join(dir, 'steward.config.ts'),
    `import { defineConfig, env } from 'steward';\nexport default defineConfig(${body});\n`,
  );
  return dir;
}
