import { StewardError } from '../errors/steward-error.js';
import type { FlagGeneration } from './flag-generations.js';

/**
 * The messages of shape flags, kept together so they read as one voice. Bad input is
 * `input.invalid` (exit 2, nothing written); losing a race is `ledger.conflict` (retry).
 */

export function invalidFlagInput(
  what: string,
  problem: string,
  details: Record<string, unknown> = {},
): StewardError {
  return new StewardError('input.invalid', `${what} ${problem}`, details);
}

export function valueNotAllowed(name: string, value: string, allowed: readonly string[]): StewardError {
  return new StewardError(
    'input.invalid',
    `flag "${name}" cannot be "${value}": its values are ${allowed.join(', ')}. Nothing was changed`,
    { flag: name, value, allowed },
  );
}

export function allowedIsFixed(
  name: string,
  stored: readonly string[] | null,
  given: readonly string[],
): StewardError {
  const now = stored ? `fixed to ${stored.join(', ')}` : 'unrestricted';
  return new StewardError(
    'input.invalid',
    `flag "${name}" already exists and its allowed values are ${now}: --allowed is only taken when a flag ` +
      `is first set. Leave it out, or define a new flag. Nothing was changed`,
    { flag: name, allowed: stored, given },
  );
}

export function flagNotSet(name: string): StewardError {
  return new StewardError(
    'input.invalid',
    `flag "${name}" has never been set; "steward flags list" shows the flags that have`,
    { flag: name },
  );
}

export function changeInProgress(pending: FlagGeneration): StewardError {
  return new StewardError(
    'ledger.conflict',
    `flag "${pending.name}" is being changed to "${pending.value}" by ${pending.actor} (generation ` +
      `${pending.generation}, started ${pending.at}); read it again and retry in a moment`,
    { flag: pending.name, generation: pending.generation, actor: pending.actor },
  );
}

export function lostRace(name: string, generation: number): StewardError {
  return new StewardError(
    'ledger.conflict',
    `flag "${name}" was changed by someone else at the same time (both wanted generation ${generation}); ` +
      'nothing was written by this change. Read the flag again and retry if it still needs changing',
    { flag: name, generation },
  );
}

export function notApplied(name: string, generation: number, auditSeq: number, cause: unknown): StewardError {
  return new StewardError(
    'store.failed',
    `flag "${name}" generation ${generation} was audited (seq ${auditSeq}) but could not be marked in ` +
      `effect, so the flag keeps its previous value: ${(cause as Error)?.message ?? String(cause)}. Set it again in a minute`,
    { flag: name, generation, auditSeq },
    { cause },
  );
}
