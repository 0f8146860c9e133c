import type { ResolvedConfig } from '../../config/resolved-config.js';
import type { ResolvedDerived } from '../../derived/derived.js';
import { StewardError } from '../../errors/steward-error.js';

/**
 * The named derived states, or every declared one when none is named. A usage error when the
 * config declares none, or names the unknown ones and lists the declared.
 */
export function selectDerived(names: readonly string[], config: ResolvedConfig): ResolvedDerived[] {
  const known = [...config.derived.keys()];
  if (known.length === 0)
    throw new StewardError(
      'usage',
      `${config.file ?? 'the config'} declares no derived state; add some, such as derived: { 'case_list.openTaskCount': { kind: 'counter', source: {...}, transform: { count: true } } }`,
    );
  if (names.length === 0) return [...config.derived.values()];
  const unknown = names.filter((n) => !config.derived.has(n));
  if (unknown.length > 0)
    throw new StewardError(
      'usage',
      `${unknown.map((u) => `"${u}"`).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not declared in ${config.file ?? 'the config'}; declared derived state: ${known.join(', ')}`,
      { unknown, known },
    );
  return names.map((n) => config.derived.get(n)!);
}
