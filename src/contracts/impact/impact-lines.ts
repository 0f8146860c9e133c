import type { DerivedImpact, Impact, ReferenceImpact } from './impact.js';

/**
 * The impact as text for a person, grouped by kind of dependent, each group with its count and
 * "none" when empty, so the reader sees what was checked as well as what was found.
 */
export function impactLines(impact: Impact): string[] {
  const { collection, field, declaration: d } = impact;
  const what = [
    `owner ${impact.owner}`,
    `${impact.versions.length === 1 ? 'version' : 'versions'} ${impact.versions.join(', ')}`,
    d.source ? `${d.authority} of ${d.source.collection}.${d.source.field}` : d.authority,
    ...(impact.isKey ? ['key'] : []),
  ];
  const lines = [`${collection}.${field} (${what.join('; ')})`];
  if (impact.deprecated) {
    const { removeAfter, reason, replacement } = impact.deprecated;
    const instead = replacement ? `; read ${replacement} instead` : '';
    lines.push(`  deprecated: may be removed after ${removeAfter}: ${reason}${instead}`);
  }
  const consumers = impact.consumers.map((c) => {
    const uses = [
      ...(c.reads.length > 0 ? [`reads ${c.reads.join(', ')}`] : []),
      ...(c.writes.length > 0 ? [`writes ${c.writes.join(', ')}`] : []),
    ];
    return `${c.service.padEnd(24)} ${uses.join('; ')}`;
  });
  lines.push(...group('Consumers', consumers));
  lines.push(...group('Derived state', impact.derived.map(derivedLine)));
  lines.push(...group('References', impact.references.map(referenceLine)));
  lines.push(
    ...group(
      'Migrations',
      impact.migrations.map((m) => m.id),
    ),
  );
  return lines;
}

function group(title: string, items: readonly string[]): string[] {
  if (items.length === 0) return [`${title}: none`];
  return [`${title} (${items.length}):`, ...items.map((item) => `  ${item}`)];
}

function derivedLine(d: DerivedImpact): string {
  const name = `${d.collection}.${d.field}`.padEnd(28);
  const how =
    d.because === 'source'
      ? ''
      : d.because === 'via'
        ? ', looked up through this field'
        : `, looked up by this key through ${d.collection}.${d.via}`;
  const fresh = d.freshness ? `, freshness ${d.freshness}` : '';
  const readers = d.readBy.length > 0 ? `; read by ${d.readBy.join(', ')}` : '';
  return `${name} ${d.authority} of ${d.source}${how}${fresh}${readers}`;
}

function referenceLine(r: ReferenceImpact): string {
  const name = `${r.collection}.${r.field}`.padEnd(28);
  return r.direction === 'holds' ? `${name} holds keys of ${r.target}` : `${name} points at this key`;
}
