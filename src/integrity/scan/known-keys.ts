/** Target keys a scan remembers by default: a few MB of ids, enough for most targets whole. */
export const defaultKnownKeys = 200_000;

/**
 * Target keys a scan has seen exist, so a key that many sources point at (the case of a hundred
 * tasks) is fetched once per scan rather than once per batch it appears in. Only keys found are
 * remembered; a missing key is looked up again every time, so an orphan is never decided from
 * memory. Bounded: when full it forgets everything and fills again, so memory stays flat.
 *
 * The scan is not a snapshot in any case: a target deleted while a scan runs may be reported
 * missing or not depending on when its sources were read, and the next scan sees it either way.
 */
export class KnownKeys {
  private readonly ids = new Set<string>();

  constructor(private readonly capacity = defaultKnownKeys) {}

  has(id: string): boolean {
    return this.ids.has(id);
  }

  add(id: string): void {
    if (this.ids.size >= this.capacity) this.ids.clear();
    this.ids.add(id);
  }
}
