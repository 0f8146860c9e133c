/**
 * Every steward command line in README.md and docs/ names a command that exists and only options
 * that command takes, so a renamed command or option cannot leave the docs behind. Synopses in
 * inline code count too: `steward contracts list \| export` names two commands.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Command, globalOptions } from '../../src/cli/command.js';
import { commands } from '../../src/cli/commands/index.js';
import { docExamples, shellWords } from '../support/doc-examples.js';

const groups = new Set(commands.map((c) => c.path[0]));

/** The command lines a synopsis stands for: `flags list | get | set` is three. */
function alternatives(words: readonly string[]): string[][] {
  const bars = words.flatMap((w, i) => (w === '|' || w === '\\|' ? [i] : []));
  if (bars.length === 0) return [[...words]];
  const head = words.slice(0, bars[0]);
  const last = head.length - 1;
  const out = [head];
  for (const i of bars) {
    const next = words[i + 1];
    if (next && !next.startsWith('-')) out.push([...head.slice(0, last), next, ...words.slice(i + 2)]);
  }
  return out;
}

function commandOf(words: readonly string[]): Command | undefined {
  return commands
    .filter((c) => c.path.every((w, i) => words[i] === w))
    .sort((a, b) => b.path.length - a.path.length)[0];
}

/** Option names a line uses: `--docs N`, `[--docs N]`, `--out=x`, `--segment i/N`. */
function optionsIn(words: readonly string[]): string[] {
  return words
    .map((w) => w.replace(/^[[(]+/, '').replace(/[\])]+$/, ''))
    .filter((w) => /^--[a-z]/.test(w))
    .map((w) => w.slice(2).split(/[=\]|]/)[0] ?? '');
}

test('the docs hold command lines to check', () => {
  assert.ok(docExamples().length > 40, `found ${docExamples().length}`);
});

test('every command line in the docs names a command and options that exist', () => {
  const problems: string[] = [];
  let checked = 0;
  for (const example of docExamples()) {
    const words = shellWords(example.text).slice(1);
    if (words.length === 1 && ['--version', '-V', '--help', '-h'].includes(words[0] ?? '')) continue;
    if (words[0] === 'help') words.shift();
    // Prose that happens to start with "steward" ("steward keeps its records...") is not a command.
    if (!groups.has(words[0]) && !example.text.includes(' --')) continue;
    for (const line of alternatives(words)) {
      const command = commandOf(line);
      const where = `${example.file}:${example.line}: ${example.text}`;
      if (!command) {
        problems.push(`${where}\n    no command "steward ${line.slice(0, 2).join(' ')}"`);
        continue;
      }
      const known = { ...globalOptions, ...command.options };
      for (const option of optionsIn(line.slice(command.path.length))) {
        checked += 1;
        if (!(option in known))
          problems.push(`${where}\n    "steward ${command.path.join(' ')}" has no option --${option}`);
      }
    }
  }
  assert.deepEqual(problems, [], `\n${problems.join('\n')}`);
  assert.ok(checked > 50, `only ${checked} options were checked: is the extraction broken?`);
});
