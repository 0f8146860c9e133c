import type { CompatibilityViolation } from '../compatibility/check-compatibility.js';
import type { Contract } from '../contract.js';
import { pointerToFieldPath } from '../field-paths.js';
import { affectedServices } from './affected-services.js';
import type { RawFinding } from './check-report.js';

/** The two schemas a violation compared, by real version number and by the name a message uses. */
export interface ComparedPair {
  readonly fromVersion: number;
  readonly toVersion: number;
  /** How the message names each side: `version 1`, or `version 2 as released`. */
  readonly fromName: string;
  readonly toName: string;
}

/**
 * Turns a violation of `checkCompatibility` into a finding of `contract`. The compatibility core
 * numbers versions by their position in the list it was given; this puts the real version
 * numbers back, in the fields and in the message.
 */
export function compatibilityFinding(
  contract: Contract,
  violation: CompatibilityViolation,
  pair: ComparedPair,
): RawFinding {
  const field = pointerToFieldPath(violation.path);
  return {
    collection: contract.collection,
    path: violation.path,
    field,
    rule: violation.rule,
    mode: violation.mode,
    direction: violation.direction,
    fromVersion: pair.fromVersion,
    toVersion: pair.toVersion,
    message: relabel(violation, pair),
    ...(violation.example !== undefined ? { example: violation.example } : {}),
    affected: affectedServices(contract, field),
    owner: contract.owner,
  };
}

/** Rewrites the reader/writer sentence of the core's message with the names of `pair`. */
function relabel(v: CompatibilityViolation, pair: ComparedPair): string {
  const [readerAt, writerAt] =
    v.direction === 'backward' ? [v.toVersion, v.fromVersion] : [v.fromVersion, v.toVersion];
  const nameOf = (at: number) => (at === v.fromVersion ? pair.fromName : pair.toName);
  const positional = `readers of version ${readerAt} may fail on documents written with version ${writerAt}`;
  const named = `readers of ${nameOf(readerAt)} may fail on documents written with ${nameOf(writerAt)}`;
  const example = `valid under version ${writerAt} and not under version ${readerAt}`;
  const exampleNamed = `valid under ${nameOf(writerAt)} and not under ${nameOf(readerAt)}`;
  return v.message.replace(positional, named).replace(example, exampleNamed);
}
