/**
 * Reads the Prometheus text exposition (what `/metrics` serves) back into samples, so tests
 * assert on series and values rather than on formatting.
 */

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Exposition {
  readonly samples: Sample[];
  /** Metric family name to its `# TYPE`. */
  readonly types: Map<string, string>;
}

const sampleLine = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const labelPair = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseExposition(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.startsWith('# TYPE ')) {
      const [, , name, type] = line.split(' ');
      types.set(name!, type!);
      continue;
    }
    if (line === '' || line.startsWith('#')) continue;
    const match = sampleLine.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, k, v] of (match[2] ?? '').matchAll(labelPair))
      labels[k!] = v!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    samples.push({ name: match[1]!, labels, value: Number(match[3] === '+Inf' ? Infinity : match[3]) });
  }
  return { samples, types };
}

/** The samples of `name` whose labels include `labels`. */
export function series(e: Exposition, name: string, labels: Record<string, string> = {}): Sample[] {
  return e.samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
}

/** The value of the one sample of `name` with these labels; fails when there is not exactly one. */
export function value(e: Exposition, name: string, labels: Record<string, string> = {}): number {
  const found = series(e, name, labels);
  if (found.length !== 1)
    throw new Error(`${found.length} samples of ${name}${JSON.stringify(labels)}, expected 1`);
  return found[0]!.value;
}

/** The sum over every sample of `name` with these labels. */
export function total(e: Exposition, name: string, labels: Record<string, string> = {}): number {
  return series(e, name, labels).reduce((n, s) => n + s.value, 0);
}

/**
 * What is wrong with the metric names of steward's families by the Prometheus conventions: the
 * `steward_` prefix, snake case, `_total` on counters and only on them, `_seconds` on histograms
 * of durations, no other unit than base units.
 */
export function namingProblems(e: Exposition): string[] {
  const problems: string[] = [];
  for (const [name, type] of e.types) {
    if (!name.startsWith('steward_')) {
      problems.push(`${name}: no steward_ prefix`);
      continue;
    }
    if (!/^[a-z][a-z0-9_]*$/.test(name)) problems.push(`${name}: not snake case`);
    if (type === 'counter' && !name.endsWith('_total')) problems.push(`${name}: a counter without _total`);
    if (type !== 'counter' && name.endsWith('_total')) problems.push(`${name}: _total on a ${type}`);
    if (type === 'histogram' && name.includes('duration') && !name.endsWith('_seconds'))
      problems.push(`${name}: a duration not in _seconds`);
    if (/_(milliseconds|ms|minutes|hours|bytes_kb|kilobytes|megabytes)(_|$)/.test(name))
      problems.push(`${name}: not in base units`);
  }
  return problems;
}
