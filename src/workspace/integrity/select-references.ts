import type { ResolvedConfig } from '../../config/resolved-config.js';
import { StewardError } from '../../errors/steward-error.js';
import type { ResolvedReference } from '../../integrity/reference.js';

/**
 * The named references, or every declared one when none is named. A usage error when the config
 * declares none, or names the unknown ones and lists the declared.
 */
export function selectReferences(names: readonly string[], config: ResolvedConfig): ResolvedReference[] {
  const known = [...config.references.keys()];
  if (known.length === 0) {
    throw new StewardError(
      'usage',
      `${config.file ?? 'the config'} declares no references; add some, such as references: { 'profiles.accountId': { target: 'accounts' } }`,
    );
  }
  if (names.length === 0) return [...config.references.values()];
  const unknown = names.filter((name) => !config.references.has(name));
  if (unknown.length > 0) {
    throw new StewardError(
      'usage',
      `${unknown.map((u) => `"${u}"`).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not declared in ` +
        `${config.file ?? 'the config'}; declared references: ${known.join(', ')}`,
      { unknown, known },
    );
  }
  return names.map((name) => config.references.get(name)!);
}
