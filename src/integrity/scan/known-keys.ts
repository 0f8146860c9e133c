import { type DocKey, keyId } from '../../stores/store.js';

/** Target keys a scan remembers by default: a few MB of ids, enough for most targets whole. */
export const defaultKnownKeys = 200_000;

/**
 * Target keys a scan has seen exist, so a key that many sources point at (the case of a hundred
 * tasks) is fetched once per scan rather than once per batch it appears in. Only keys found are
 * remembered; a missing key is looked up again every time, so an orphan is never decided from
 * memory. Bounded: when full it forgets everything and fills again, so memory stays flat.
 *
 * String keys, the common case, are held as they are rather than as their {@link keyId}: asking
 * for a key then builds no new string per source document, and hashes one V8 has hashed before.
 *
 * The scan is not a snapshot in any case: a target deleted while a scan runs may be reported
 * missing or not depending on when its sources were read, and the next scan sees it either way.
 */
export class KnownKeys {
  private readonly strings = new Set<string>();
  private readonly others = new Set<string>();

  constructor(readonly capacity = defaultKnownKeys) {}

  has(key: DocKey): boolean {
    return typeof key === 'string' ? this.strings.has(key) : this.others.has(keyId(key));
  }

  add(key: DocKey): void {
    if (this.strings.size + this.others.size >= this.capacity) {
      this.strings.clear();
      this.others.clear();
    }
    if (typeof key === 'string') this.strings.add(key);
    else this.others.add(keyId(key));
  }
}
