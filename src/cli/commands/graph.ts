import { resolve } from 'node:path';
import { formatForFile, type GraphFormat, graphFormats } from '../../contracts/graph/render-graph.js';
import { formatCount } from '../../core/format-count.js';
import { ExitCode, StewardError } from '../../errors/steward-error.js';
import { contractsGraph } from '../../workspace/contracts/contracts-files.js';
import { writeOutFile } from '../../workspace/out-file.js';
import type { Command, CommandContext } from '../command.js';
import { configIfPresent, contractsDirFor, contractsDirHelp, contractsDirOption } from '../contracts-dir.js';

/**
 * `steward graph`: the data-flow map of what the contracts and the config declare, as Mermaid,
 * SVG or JSON.
 */
export const graphCommand: Command = {
  path: ['graph'],
  summary: 'draw the data-flow map: owners, readers, writers, derived state and references',
  usage: '[--format mermaid|svg|json] [--out FILE] [--dir contracts]',
  description:
    "Reads the contracts and the config's collections, references and derived state (no store).\n" +
    'Without --out, prints Mermaid text (JSON with --json).\n' +
    'With --out, the file extension picks the format: .svg, .mmd, .md (Mermaid in a fenced block\n' +
    'that GitHub draws) or .json. Example: steward graph --out docs/data-flow.svg',
  options: {
    ...contractsDirOption,
    format: { type: 'string', short: 'f' },
    out: { type: 'string', short: 'o' },
  },
  optionHelp: {
    ...contractsDirHelp,
    format: 'mermaid, svg or json (default: from the --out extension, else mermaid)',
    out: 'write the map to this file instead of stdout',
  },
  async run(ctx) {
    const out = typeof ctx.options.out === 'string' ? ctx.options.out : undefined;
    const format = formatOption(ctx, out);
    const config = await configIfPresent(ctx);
    const input = {
      dir: await contractsDirFor(ctx),
      format,
      ...(config ? { config } : {}),
      // A config's contracts folder that does not exist holds none; one --dir names must exist.
      optional: config !== undefined && typeof ctx.options.dir !== 'string',
    };
    const { graph, text } = await contractsGraph(input);
    const counts = { nodes: graph.nodes.length, edges: graph.edges.length };
    if (out === undefined) {
      ctx.output.result(format === 'json' ? graph : { format, content: text });
      ctx.output.line(text.trimEnd());
      return ExitCode.ok;
    }
    const file = resolve(ctx.cwd, out);
    writeOutFile(file, text);
    ctx.output.result({ file, format, ...counts });
    ctx.output.note(
      `wrote ${out} (${format}): ${formatCount(counts.nodes)} nodes, ${formatCount(counts.edges)} edges`,
    );
    return ExitCode.ok;
  },
};

/**
 * The format: `--format` and the `--out` extension must agree when both are given; a `.md` file
 * with `--format mermaid` is the Mermaid text in a fenced block.
 */
function formatOption(ctx: CommandContext, out: string | undefined): GraphFormat {
  const raw = ctx.options.format;
  const fromFile = out === undefined ? undefined : formatForFile(out);
  if (raw === undefined) {
    if (out !== undefined && fromFile === undefined)
      throw new StewardError(
        'usage',
        `cannot tell the format of "${out}" from its extension; use .svg, .mmd, .md or .json, or pass --format`,
      );
    return fromFile ?? (ctx.output.json ? 'json' : 'mermaid');
  }
  const format = String(raw) as GraphFormat;
  if (!graphFormats.includes(format) || format === 'markdown')
    throw new StewardError('usage', `--format must be mermaid, svg or json (got "${String(raw)}")`);
  if (fromFile === 'markdown' && format === 'mermaid') return 'markdown';
  if (fromFile !== undefined && fromFile !== format)
    throw new StewardError('usage', `--format ${format} does not match the extension of "${out}"`);
  return format;
}
