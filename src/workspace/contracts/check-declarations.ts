import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { ResolvedConfig } from '../../config/resolved-config.js';
import type { Contract } from '../../contracts/contract.js';
import { loadContracts } from '../../contracts/load-contracts.js';
import { type ReferenceDisagreement, referenceDisagreements } from '../../contracts/reference-agreement.js';
import { StewardError } from '../../errors/steward-error.js';

/**
 * Checks that the config and the contracts declare every reference alike: a field both declare
 * as a reference must point at the same collection. A disagreement is a config error
 * (`config.invalid`, exit 2) naming both files and both targets, every one at once. The contracts
 * are those given, or loaded from the config's folder (none when it does not exist). Every entry
 * point that reads both the config and the contracts, or acts on the config's references, calls it
 * first, so no command works from one side of a disagreement.
 */
export async function checkDeclarations(
  config: ResolvedConfig,
  contracts?: readonly Contract[],
  cwd: string = process.cwd(),
): Promise<void> {
  if (config.references.size === 0) return;
  const loaded =
    contracts ??
    (existsSync(config.contracts.dir) ? (await loadContracts(config.contracts.dir)).contracts : []);
  const disagreements = referenceDisagreements(loaded, config.references.values());
  if (disagreements.length === 0) return;
  const configFile = config.file ? relative(cwd, config.file) || config.file : 'the config';
  const lines = disagreements.map((d) =>
    line(d, configFile, relative(cwd, join(config.contracts.dir, d.contractFile))),
  );
  throw new StewardError(
    'config.invalid',
    `${configFile} and the contracts declare ${disagreements.length} reference(s) differently:\n` +
      lines.map((l) => `  ${l}`).join('\n') +
      '\nMake them agree: correct the target in the config or in the contract.',
    { disagreements: disagreements.map((d) => ({ ...d })) },
  );
}

function line(d: ReferenceDisagreement, configFile: string, contractFile: string): string {
  return (
    `${d.collection}.${d.field}: ${configFile} (references['${d.configName}']) points it at "${d.configTarget}", ` +
    `${contractFile} (fields['${d.field}'].references) at "${d.contractTarget}"`
  );
}
