import { formatCount, formatEta } from '../core/format-count.js';

/*
 * Why a hand-written line and not cli-progress or listr2: steward draws one line at a time on
 * stderr, only when stderr is a terminal, from events the library emits at its own pace (a batch,
 * a checkpoint). What it needs beyond the old bar is a rate and an ETA per phase, about forty lines.
 * cli-progress would bring its own TTY detection, timers and redraw loop that must be kept in step
 * with our piped/--json rules (and it writes on a timer after the job has moved on); listr2 is a
 * task runner that would own the command's control flow. Neither earns a runtime dependency here.
 */

/** One phase being drawn: when it began and at what count, for the rate. */
interface Phase {
  readonly label: string;
  readonly startedAt: number;
  /** When the phase last moved: its final line shows the rate it had then. */
  updatedAt: number;
  readonly startDone: number;
  done: number;
  total: number | undefined;
  estimated: boolean;
  reachedShown?: boolean;
}

/** What a progress line shows: a label, a bar and done/total when the total is known, a rate, an ETA. */
export class ProgressLine {
  private phase: Phase | undefined;

  /**
   * The text for `done` of `total` in phase `label` at time `now` (ms). A new label starts a new
   * phase (`started`); the returned `finished` is the last text of the phase it replaces, to keep on
   * its own line.
   */
  update(
    label: string,
    done: number,
    total: number | undefined,
    estimated: boolean,
    now: number,
  ): { text: string; started: boolean; finished?: string } {
    let finished: string | undefined;
    const started = this.phase?.label !== label;
    if (started) {
      if (this.phase) finished = this.render(this.phase.updatedAt);
      this.phase = { label, startedAt: now, updatedAt: now, startDone: done, done, total, estimated };
    }
    Object.assign(this.phase!, { done, total, estimated, updatedAt: now });
    return { text: this.render(now), started, ...(finished === undefined ? {} : { finished }) };
  }

  /** Whether `done` just reached the total, exact or estimated: a state worth drawing at once (once). */
  reached(): boolean {
    const p = this.phase;
    if (p === undefined || p.total === undefined || p.done < p.total || p.reachedShown) return false;
    p.reachedShown = true;
    return true;
  }

  /** Ends the current phase: nothing is redrawn for it any more. */
  reset(): void {
    this.phase = undefined;
  }

  /** Whether `done` reached a total that is exact (an estimated one may be passed). */
  complete(): boolean {
    const p = this.phase;
    return p !== undefined && p.total !== undefined && !p.estimated && p.done >= p.total;
  }

  private render(now: number): string {
    const p = this.phase!;
    const width = 24;
    const parts = [p.label];
    if (p.total !== undefined && p.total > 0) {
      const ratio = Math.min(1, p.done / p.total);
      parts.push(`[${'#'.repeat(Math.round(ratio * width)).padEnd(width, '.')}]`);
      parts.push(`${formatCount(p.done)}/${p.estimated ? '~' : ''}${formatCount(p.total)}`);
    } else parts.push(formatCount(p.done));
    const seconds = (now - p.startedAt) / 1000;
    const rate = seconds > 0 ? (p.done - p.startDone) / seconds : 0;
    if (rate > 0) {
      parts.push(`${formatCount(rate)}/s`);
      if (p.total !== undefined && p.total > p.done)
        parts.push(`ETA ${formatEta((p.total - p.done) / rate)}`);
    }
    return parts.join('  ');
  }
}
