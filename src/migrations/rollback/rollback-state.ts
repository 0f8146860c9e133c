import { isJsonObject, type JsonObject } from '../../core/json.js';
import type { DocumentFailure, OperationResult } from '../apply/apply-state.js';
import type { MigrationCounts } from '../changelog.js';
import type { CollectionChecksum } from '../collection-checksum.js';

/**
 * What `migrate rollback` saves in its checkpoint after every batch, so a killed rollback resumes
 * where it was and redoes at most the batch in flight. Plain JSON.
 */
export interface RollbackState {
  /** The migrations to roll back, in the order they are rolled back (newest first). */
  readonly targets: readonly string[];
  readonly index: number;
  readonly startedAt: string;
  /** Why: the user's command, or the gate that triggered an automatic rollback. */
  readonly reason: string;
  readonly progress?: RollbackProgress;
}

/** `restore`: before-images put back; `census`: versions counted, late documents converted. */
export type RollbackPhase = 'start' | 'restore' | 'census' | 'operations' | 'verify' | 'done';

export interface RollbackProgress {
  readonly id: string;
  /** The apply attempt whose before-images are restored. */
  readonly attempt: number;
  readonly phase: RollbackPhase;
  /** Resume token of the page of the scan over the attempt's batch images being restored. */
  readonly restoreAfter: string | null;
  /**
   * The images restored from that token on (`<collection>|<batch>`): a resumed run skips them
   * wherever it meets them, so it redoes at most the image in flight. Absent in states saved
   * before it existed: none.
   */
  readonly restoreDone?: readonly string[];
  /** The census pass: index into the versioned collections, resume token, counts so far. */
  readonly census: {
    readonly collection: number;
    readonly after: string | null;
    readonly versions: Readonly<Record<string, Readonly<Record<string, number>>>>;
    /**
     * Checksum of each census collection as the census left it (each document as read, or as
     * converted), so verification need not read the collection again. Absent in older states.
     */
    readonly checksums?: Readonly<Record<string, CollectionChecksum>>;
  };
  /** `changed`: restored from images; `failed`: left as they were. */
  readonly counts: MigrationCounts;
  readonly converted: number;
  /** Documents at the target version, not there before apply, still there after the census. */
  readonly remainingAtTarget: number;
  readonly restoredIn: Readonly<Record<string, number>>;
  readonly failures: readonly DocumentFailure[];
  readonly operations: readonly OperationResult[];
  readonly startedAt: string;
}

export function freshRollbackProgress(id: string, attempt: number, at: string): RollbackProgress {
  return {
    id,
    attempt,
    phase: 'start',
    restoreAfter: null,
    census: { collection: 0, after: null, versions: {}, checksums: {} },
    counts: { changed: 0, skipped: 0, failed: 0, canary: 0 },
    converted: 0,
    remainingAtTarget: 0,
    restoredIn: {},
    failures: [],
    operations: [],
    startedAt: at,
  };
}

/** Reads a saved state back; undefined for anything that is not one. */
export function parseRollbackState(raw: JsonObject | undefined): RollbackState | undefined {
  if (!raw || !Array.isArray(raw.targets) || typeof raw.index !== 'number') return undefined;
  if (raw.progress !== undefined && !isJsonObject(raw.progress)) return undefined;
  return raw as unknown as RollbackState;
}
