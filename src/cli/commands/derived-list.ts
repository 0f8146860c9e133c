import type { ResolvedDerived } from '../../derived/derived.js';
import { ExitCode } from '../../errors/steward-error.js';
import type { Command } from '../command.js';
import { configFor } from '../with-stores.js';
import { selectDerived } from './drift-check.js';

/** `steward derived list`: the declared derived state and the answers of its contract. */
export const derivedListCommand: Command = {
  path: ['derived', 'list'],
  summary: 'list declared derived state: source, transformation, refresh, staleness, consumers',
  usage: '[derived...]',
  async run(ctx) {
    const config = await configFor(ctx);
    const selected = selectDerived(ctx.positionals, config);
    ctx.output.result(selected.map(describe));
    for (const d of selected) {
      const info = describe(d);
      ctx.output.line(`${d.name}  ${d.kind}${d.snapshot ? ' (snapshot)' : ''}`);
      ctx.output.line(`  from ${info.source}: ${info.transform}`);
      ctx.output.line(
        `  refresh ${d.refresh}, staleness ${info.staleness}, on failure ${d.onFailure}, validation ${d.validation}, repair ${d.repair}`,
      );
      ctx.output.line(`  consumers: ${info.consumers}`);
    }
    return ExitCode.ok;
  },
};

function describe(d: ResolvedDerived) {
  const t = d.transform;
  const link =
    d.source.link.by === 'self'
      ? 'its own fields'
      : d.source.link.by === 'via'
        ? `via ${d.source.link.field}`
        : `where ${d.source.link.field} = key`;
  const transform =
    t.type === 'count'
      ? 'count'
      : t.type === 'function'
        ? 'a function'
        : t.type === 'latest'
          ? `latest ${t.field} by ${t.by}`
          : t.type === 'multiply'
            ? `multiply ${t.fields.join(' * ')}`
            : `${t.type} ${t.field}`;
  return {
    name: d.name,
    kind: d.kind,
    snapshot: d.snapshot,
    ...(d.element ? { element: d.element.key ? `keyed by ${d.element.key}` : 'by position' } : {}),
    source: `${d.source.collection} (${link}${d.source.whereRaw ? `, ${JSON.stringify(d.source.whereRaw)}` : ''})`,
    transform,
    refresh: d.refresh,
    staleness: d.stalenessMs === undefined ? 'immediate' : `${d.stalenessMs / 1000}s`,
    onFailure: d.onFailure,
    validation: d.validation,
    repair: d.repair,
    consumers:
      d.consumers.map((c) => `${c.service}${c.irreversible ? ' (irreversible decisions)' : ''}`).join(', ') ||
      'none declared',
    version: d.version,
  };
}
