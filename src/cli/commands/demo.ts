import { resolve } from 'node:path';
import { runDemo } from '../../demo/run-demo.js';
import { ExitCode } from '../../errors/steward-error.js';
import { actorFromEnv } from '../../workspace/run-options.js';
import type { Command } from '../command.js';
import { intOption } from '../int-option.js';

/** `steward demo`: the guided tour on the embedded SQLite store; needs no config and no server. */
export const demoCommand: Command = {
  path: ['demo'],
  summary: 'build the example in a SQLite file and walk through what steward does',
  usage: '[--docs N] [--seed S] [--file path]',
  description:
    'Needs no config and no server. Everything is written in the folder of the SQLite file, which must\n' +
    'be new, empty, or made by an earlier demo (marked by .steward-demo.json, which lists what it wrote:\n' +
    'a re-run removes exactly that). Anything else there is refused with exit 2; nothing is written.',
  options: {
    docs: { type: 'string', default: '20000' },
    seed: { type: 'string', default: '42' },
    file: { type: 'string', default: '.steward/demo/steward.sqlite' },
  },
  optionHelp: {
    docs: 'approximate number of documents to generate (default 20000)',
    seed: 'seed of the deterministic generator (default 42)',
    file: 'the SQLite file to build, in a folder of its own (default .steward/demo/steward.sqlite)',
  },
  async run(ctx) {
    const docs = intOption(ctx, 'docs', 20000, 100);
    const file = resolve(ctx.cwd, String(ctx.options.file));
    const started = performance.now();
    const result = await runDemo(
      {
        file,
        docs,
        seed: String(ctx.options.seed),
        actor: actorFromEnv(ctx.env),
      },
      {
        step: (title) => ctx.output.line(`\n${title}`),
        say: (text) => ctx.output.line(text),
        progress: (label, done, total) => ctx.output.progress(label, done, total),
      },
    );
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    ctx.output.line(`\nfinished in ${seconds} s`);
    const { manifest, ...summary } = result;
    ctx.output.result({
      ...summary,
      counts: manifest.counts,
      faults: manifest.faults.length,
      seconds: Number(seconds),
    });
    return ExitCode.ok;
  },
};
