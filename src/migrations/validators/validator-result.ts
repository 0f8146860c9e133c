import type { ValidatorDefinition } from '../migration.js';

/**
 * What one validator found. A result, not an exception: a failing validator is a finding the dry
 * run reports and an apply gate decides on; only the CLI turns it into an exit code.
 */
export interface ValidatorResult {
  readonly name: string;
  readonly kind: ValidatorDefinition['kind'];
  readonly ok: boolean;
  /** One sentence: what was checked and what was found. */
  readonly message: string;
  /** The first {@link maxValidatorProblems} problems, each naming the document key when there is one. */
  readonly problems: readonly string[];
  /**
   * Set when the validator could not say anything meaningful here (a count bound checked against a
   * sampled sandbox); `ok` is then true and `message` says why it was skipped.
   */
  readonly skipped?: true;
}

/** Problems listed per validator; the rest are counted in the message. */
export const maxValidatorProblems = 20;

/** Collects problems up to the cap and counts all of them. */
export class ProblemList {
  readonly items: string[] = [];
  total = 0;

  add(problem: string): void {
    this.total++;
    if (this.items.length < maxValidatorProblems) this.items.push(problem);
  }
}

/** The key of a document as shown in messages: `"k1"` for strings, `7` for numbers. */
export function showKey(key: unknown): string {
  return key === undefined ? '(no key)' : JSON.stringify(key);
}

/** The message of an exception thrown by user code (a check, a read shape), on one line. */
export function thrownMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? '';
}
