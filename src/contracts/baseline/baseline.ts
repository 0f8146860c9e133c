import type { Contract } from '../contract.js';

/** The contracts `contracts check` compares against, and where they came from. */
export interface Baseline {
  /** `--baseline` as given. */
  readonly spec: string;
  readonly source: 'folder' | 'git';
  /** How messages name it: the folder, or `<ref>:<contracts folder>`. */
  readonly label: string;
  /** The commit the ref resolved to, for a git baseline. */
  readonly commit?: string;
  readonly contracts: readonly Contract[];
  /** Sentences for a person, such as a ref at which the contracts folder did not exist yet. */
  readonly notes: readonly string[];
}
