/**
 * Property names against `patternProperties` patterns, as Ajv reads them (`new RegExp(p, 'u')`).
 * Whether two patterns share a name is not decidable in general; steward only proves it for
 * patterns anchored on different literal prefixes (`^x-` and `^y-`).
 */

const compiled = new Map<string, RegExp | null>();

function regex(pattern: string): RegExp | null {
  let r = compiled.get(pattern);
  if (r === undefined) {
    try {
      r = new RegExp(pattern, 'u');
    } catch {
      r = null;
    }
    compiled.set(pattern, r);
  }
  return r;
}

/** True when `name` matches `pattern`; undefined when the pattern does not compile. */
export function matches(pattern: string, name: string): boolean | undefined {
  const r = regex(pattern);
  return r === null ? undefined : r.test(name);
}

/** True when no name can match both patterns (proved for anchored, different literal prefixes). */
export function patternsDisjoint(p: string, q: string): boolean {
  const a = literalPrefix(p);
  const b = literalPrefix(q);
  if (a === undefined || b === undefined) return false;
  return !a.startsWith(b) && !b.startsWith(a);
}

/** The literal text an anchored pattern starts with (`^x-` gives `x-`), or undefined. */
function literalPrefix(pattern: string): string | undefined {
  if (!pattern.startsWith('^') || pattern.includes('|')) return undefined;
  const m = /^[A-Za-z0-9_\-:@ ]*/.exec(pattern.slice(1));
  const prefix = m?.[0] ?? '';
  const next = pattern.charAt(1 + prefix.length);
  // A quantifier after the prefix makes its last character optional.
  const safe = '?*{'.includes(next) && next !== '' ? prefix.slice(0, -1) : prefix;
  return safe === '' ? undefined : safe;
}
