import { ExitCode } from '../../errors/steward-error.js';
import { countDocuments, findDocuments } from '../../workspace/documents.js';
import { collectionArg, segmentOption, whereOption } from '../collection-arg.js';
import type { Command } from '../command.js';
import { configFor } from '../config-for.js';
import { intOption } from '../int-option.js';

/** `steward find`: prints documents of a collection as JSON lines, with the portable filter language. */
export const findCommand: Command = {
  path: ['find'],
  summary: 'print documents of a collection as JSON lines, optionally filtered',
  usage: `<collection> [--where '{"status":"open"}'] [--limit N] [--segment i/N]`,
  description:
    'Output is JSON lines, one document per line, streamed (also with --json).\n' +
    "Filters use steward's portable language: equality, $in, $gt/$gte/$lt/$lte, $exists and $and.\n" +
    'Anything else, and any server-side code ($where, $function, $expr), is refused before the store is asked.',
  options: {
    where: { type: 'string', short: 'w' },
    limit: { type: 'string', default: '20' },
    segment: { type: 'string' },
  },
  optionHelp: {
    where: 'a filter as JSON',
    limit: 'at most this many documents (default 20; 0 for all)',
    segment: 'only segment i of N (0-based), as a worker of N would read it',
  },
  async run(ctx) {
    const config = await configFor(ctx);
    const collection = collectionArg(ctx, config);
    const where = whereOption(ctx);
    const limit = intOption(ctx, 'limit', 20);
    const segment = segmentOption(ctx);
    const input = { collection, where, limit, ...(segment ? { segment } : {}) };
    await findDocuments(config, input, (doc) => ctx.output.jsonLine(doc));
    return ExitCode.ok;
  },
};

/** `steward count`: counts documents of a collection, exactly or by the store's estimate. */
export const countCommand: Command = {
  path: ['count'],
  summary: 'count documents of a collection, optionally filtered',
  usage: `<collection> [--where '{"status":"open"}'] [--estimate]`,
  options: { where: { type: 'string', short: 'w' }, estimate: { type: 'boolean' } },
  optionHelp: { where: 'a filter as JSON', estimate: "the store's cheap estimate instead of an exact count" },
  async run(ctx) {
    const config = await configFor(ctx);
    const collection = collectionArg(ctx, config);
    const where = whereOption(ctx);
    const result = await countDocuments(config, {
      collection,
      where,
      estimate: ctx.options.estimate === true,
    });
    ctx.output.result(result);
    ctx.output.line(String(result.count));
    return ExitCode.ok;
  },
};
