/**
 * Progress of a long job on stderr (stdout stays clean for --json): on a terminal a bar
 * redrawn in place with rate and ETA; otherwise one plain line every PLAIN_INTERVAL_MS.
 * Time comes in through `nowMs` so the formatting is testable.
 */
export const TTY_REDRAW_MS = 100;
export const PLAIN_INTERVAL_MS = 5_000;
const BAR_WIDTH = 30;

export interface ProgressOptions {
  readonly label: string;
  readonly total: number;
  /** Items already done before this run (a resumed campaign): they count for progress, not for rate. */
  readonly already: number;
  readonly isTty: boolean;
  readonly write: (text: string) => void;
  readonly nowMs: () => number;
  /** More status after the ETA (e.g. the campaign's fast-forward share); called on each redraw. */
  readonly note?: () => string;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

export class Progress {
  private done: number;
  private readonly startMs: number;
  private lastDrawMs = Number.NEGATIVE_INFINITY;
  private drawn = false;

  constructor(private readonly options: ProgressOptions) {
    this.done = options.already;
    this.startMs = options.nowMs();
  }

  /** The status text: `label 1234/10000 12.3% 456.7/s ETA 0:19` and the note, if any. */
  status(nowMs: number): string {
    const { total, already, label } = this.options;
    const elapsedS = Math.max(1e-3, (nowMs - this.startMs) / 1000);
    const rate = (this.done - already) / elapsedS;
    const eta = rate > 0 ? (total - this.done) / rate : Number.NaN;
    const percent = total === 0 ? 100 : (100 * this.done) / total;
    const note = this.options.note?.() ?? '';
    return `${label} ${this.done}/${total} ${percent.toFixed(1)}% ${rate.toFixed(1)}/s ETA ${formatDuration(eta)}${note === '' ? '' : ` ${note}`}`;
  }

  bar(): string {
    const { total } = this.options;
    const filled = total === 0 ? BAR_WIDTH : Math.min(BAR_WIDTH, Math.floor((BAR_WIDTH * this.done) / total));
    return `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}]`;
  }

  add(count = 1): void {
    this.done += count;
    const now = this.options.nowMs();
    const interval = this.options.isTty ? TTY_REDRAW_MS : PLAIN_INTERVAL_MS;
    if (now - this.lastDrawMs >= interval) this.draw(now);
  }

  private draw(now: number): void {
    this.lastDrawMs = now;
    this.drawn = true;
    if (this.options.isTty) this.options.write(`\r\x1b[2K${this.bar()} ${this.status(now)}`);
    else this.options.write(`${this.status(now)}\n`);
  }

  /** Final state; on a terminal ends the bar's line. */
  finish(): void {
    const now = this.options.nowMs();
    if (this.options.isTty) {
      this.draw(now);
      this.options.write('\n');
    } else if (this.drawn || this.done > this.options.already) {
      this.draw(now);
    }
  }
}
