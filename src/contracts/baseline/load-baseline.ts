import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadContracts } from '../load-contracts.js';
import type { Baseline } from './baseline.js';
import { contractsAtRef } from './contracts-at-ref.js';

/**
 * Loads the baseline of `contracts check`. `spec` is a folder of contracts (relative to `cwd`)
 * when such a folder exists, otherwise a git ref (`HEAD`, `origin/main`, a tag, a commit) of
 * the repository holding `contractsDir`. Invalid baseline contracts fail as any contracts do.
 */
export async function loadBaseline(
  spec: string,
  options: { readonly contractsDir: string; readonly cwd: string },
): Promise<Baseline> {
  const folder = resolve(options.cwd, spec);
  if (existsSync(folder) && statSync(folder).isDirectory()) {
    const loaded = await loadContracts(folder, { label: `baseline ${spec}` });
    return { spec, source: 'folder', label: spec, contracts: loaded.contracts, notes: [] };
  }
  return contractsAtRef(spec, resolve(options.cwd, options.contractsDir));
}
