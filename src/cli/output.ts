/**
 * Where a command's words go. Results go to stdout (as JSON with --json); progress and notes go
 * to stderr, and progress is drawn only on a terminal so piped output stays clean.
 */
export class Output {
  private lastProgress = 0;

  constructor(
    readonly json: boolean,
    private readonly stdout: NodeJS.WritableStream & { isTTY?: boolean } = process.stdout,
    private readonly stderr: NodeJS.WritableStream & { isTTY?: boolean } = process.stderr,
  ) {}

  /** A line of the human-readable result (suppressed with --json). */
  line(text = ''): void {
    if (!this.json) this.stdout.write(`${text}\n`);
  }

  /** The machine-readable result (printed only with --json). */
  result(value: unknown): void {
    if (this.json) this.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /**
   * One JSON line, in both modes: for commands whose output is a stream of records. Waits when
   * the reader is slower than steward, so memory stays flat however much is printed.
   */
  async jsonLine(value: unknown): Promise<void> {
    if (!this.stdout.write(`${JSON.stringify(value)}\n`)) {
      await new Promise<void>((resolve) => this.stdout.once('drain', () => resolve()));
    }
  }

  /** A note for the person at the terminal: stderr, so it never mixes with results. */
  note(text: string): void {
    if (!this.json) this.stderr.write(`${text}\n`);
  }

  /** Redraws a progress bar on a terminal, at most ten times a second; nothing when piped. */
  progress(label: string, done: number, total: number | undefined): void {
    if (!this.stderr.isTTY || this.json) return;
    const now = Date.now();
    if (now - this.lastProgress < 100 && done !== total) return;
    this.lastProgress = now;
    const width = 30;
    const ratio = total ? Math.min(1, done / total) : 0;
    const bar = total ? `[${'#'.repeat(Math.round(ratio * width)).padEnd(width, '.')}] ` : '';
    const count = total ? `${done}/${total}` : `${done}`;
    this.stderr.write(`\r${label} ${bar}${count}\x1b[K`);
    if (total !== undefined && done >= total) this.stderr.write('\n');
  }

  /** Ends a progress line early (on error or completion without a total). */
  endProgress(): void {
    if (this.stderr.isTTY && !this.json) this.stderr.write('\r\x1b[K');
  }

  error(text: string): void {
    this.stderr.write(`steward: ${text}\n`);
  }
}
