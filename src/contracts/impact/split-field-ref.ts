import { StewardError } from '../../errors/steward-error.js';

/**
 * Splits `<collection>.<field>` as typed on the command line. Collection names may contain dots,
 * so the longest known collection the text starts with wins (`audit.log.entry` with a collection
 * `audit.log` is field `entry`); when none matches, the text splits at its first dot and the
 * impact map reports the unknown collection with the list of known ones.
 */
export function splitFieldRef(
  ref: string,
  collections: readonly string[],
): { collection: string; field: string } {
  const known = collections
    .filter((c) => ref.startsWith(`${c}.`) && ref.length > c.length + 1)
    .sort((a, b) => b.length - a.length)[0];
  if (known !== undefined) return { collection: known, field: ref.slice(known.length + 1) };
  const dot = ref.indexOf('.');
  if (dot <= 0 || dot === ref.length - 1)
    throw new StewardError(
      'usage',
      `name a field as <collection>.<field>, such as cases.status (got "${ref}")`,
    );
  return { collection: ref.slice(0, dot), field: ref.slice(dot + 1) };
}
