/**
 * The steward command lines written in README.md and docs/*.md: in fenced code blocks (examples a
 * reader copies) and in inline code (synopses such as `steward refs scan [reference...]`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DocExample {
  /** The file, relative to the repository root, and its 1-based line. */
  readonly file: string;
  readonly line: number;
  /** The command line as written, without a trailing `# comment`. */
  readonly text: string;
  /** The trailing comment, if any (`# exit 2: ...`). */
  readonly comment: string;
  /** From a fenced block (an example to run) or inline code (a synopsis to check). */
  readonly fenced: boolean;
}

const root = join(import.meta.dirname, '../..');

/** Markdown files whose examples are held to the code. */
export function docFiles(): string[] {
  const docs = readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`);
  return ['README.md', ...docs];
}

/** Every steward command line in the docs, in file and line order. */
export function docExamples(files: readonly string[] = docFiles()): DocExample[] {
  return files.flatMap((file) => examplesIn(file, readFileSync(join(root, file), 'utf8')));
}

function examplesIn(file: string, text: string): DocExample[] {
  const out: DocExample[] = [];
  let fenced = false;
  text.split('\n').forEach((raw, i) => {
    if (/^\s*```/.test(raw)) {
      fenced = !fenced;
      return;
    }
    const candidates = fenced
      ? [raw.trim().replace(/^\$ /, '')]
      : [...raw.matchAll(/`(steward [^`]+)`/g)].map((m) => m[1] ?? '');
    for (const candidate of candidates) {
      if (!candidate.startsWith('steward ')) continue;
      const hash = candidate.search(/\s#\s/);
      const command = (hash >= 0 ? candidate.slice(0, hash) : candidate).trim();
      const comment = hash >= 0 ? candidate.slice(hash).replace(/^\s*#\s*/, '') : '';
      out.push({ file, line: i + 1, text: command, comment, fenced });
    }
  });
  return out;
}

/**
 * Splits a command line into words the way a shell would for the simple lines docs hold:
 * whitespace outside quotes separates, single and double quotes group.
 */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let quote: string | undefined;
  let started = false;
  for (const ch of line) {
    if (quote) {
      if (ch === quote) quote = undefined;
      else word += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      started = true;
    } else if (/\s/.test(ch)) {
      if (started || word) words.push(word);
      word = '';
      started = false;
    } else word += ch;
  }
  if (started || word) words.push(word);
  return words;
}
