import { ExitCode } from '../../errors/steward-error.js';
import { derivedList } from '../../workspace/derived/derived-reports.js';
import type { Command } from '../command.js';
import { configFor } from '../config-for.js';

/** `steward derived list`: the declared derived state and the answers of its contract. */
export const derivedListCommand: Command = {
  path: ['derived', 'list'],
  summary: 'list declared derived state: source, transformation, refresh, staleness, consumers',
  usage: '[derived...]',
  async run(ctx) {
    const config = await configFor(ctx);
    const described = derivedList(config, { derived: ctx.positionals });
    ctx.output.result(described);
    for (const d of described) {
      ctx.output.line(`${d.name}  ${d.kind}${d.snapshot ? ' (snapshot)' : ''}`);
      ctx.output.line(`  from ${d.source}: ${d.transform}`);
      ctx.output.line(
        `  refresh ${d.refresh}, staleness ${d.staleness}, on failure ${d.onFailure}, validation ${d.validation}, repair ${d.repair}`,
      );
      ctx.output.line(`  consumers: ${d.consumers}`);
    }
    return ExitCode.ok;
  },
};
