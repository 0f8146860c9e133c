import type { ProgressTick } from '../workspace/progress-tick.js';
import { ProgressLine } from './progress-line.js';

/**
 * Where a command's words go. Results go to stdout (as JSON with --json); progress and notes go
 * to stderr, and progress is drawn only on a terminal so piped output stays clean.
 */
export class Output {
  private lastProgress = 0;
  private readonly progressLine = new ProgressLine();
  /** A progress line is on the screen, not yet ended. */
  private drawn = false;

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
    if (this.json) return;
    if (this.drawn) this.stderr.write('\r\x1b[K');
    this.stderr.write(`${text}\n`);
  }

  /**
   * Redraws the progress line on a terminal, at most ten times a second: the label, a bar and
   * done/total when the total is known ("~" when it is an estimate), the rate and the ETA of the
   * phase (a new label is a new phase; the previous one keeps its last line). Nothing when piped or
   * with --json, so piped output has no control characters.
   */
  progress(label: string, done: number, total: number | undefined, estimated = false): void {
    if (!this.stderr.isTTY || this.json) return;
    const now = Date.now();
    const drawn = this.progressLine.update(label, done, total, estimated, now);
    const complete = this.progressLine.complete();
    const due = drawn.started || this.progressLine.reached() || now - this.lastProgress >= 100;
    if (!due) return;
    this.lastProgress = now;
    if (drawn.finished) this.stderr.write(`\r${drawn.finished}\x1b[K\n`);
    this.stderr.write(`\r${drawn.text}\x1b[K`);
    this.drawn = true;
    if (complete) this.finishLine();
  }

  /** Draws a library progress event: its phase indented under the command's own lines. */
  tick(event: ProgressTick): void {
    this.progress(`  ${event.phase}`, event.done, event.total, event.estimated === true);
  }

  /** Ends a progress line early (on error, a phase's report, or completion without a total). */
  endProgress(): void {
    if (this.stderr.isTTY && !this.json && this.drawn) this.stderr.write('\r\x1b[K');
    this.drawn = false;
    this.progressLine.reset();
  }

  private finishLine(): void {
    this.stderr.write('\n');
    this.drawn = false;
    this.progressLine.reset();
  }

  error(text: string): void {
    if (this.drawn) this.endProgress();
    this.stderr.write(`steward: ${text}\n`);
  }
}
