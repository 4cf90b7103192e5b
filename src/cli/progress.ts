/** A one-line progress bar on stderr (redrawn on a TTY, a line per 10 % otherwise) showing units (frames, bytes) per second. */
export class ProgressBar {
  private readonly started = performance.now();
  private lastDraw = 0;
  private lastPct = -10;
  private readonly tty = Boolean(process.stderr.isTTY);

  /** `unit` names what is counted (frames, bytes). */
  constructor(
    private readonly label: string,
    private readonly unit = 'frames',
  ) {}

  /** Reports `done` of `total` (total may be unknown). */
  update(done: number, total: number | null): void {
    const now = performance.now();
    const pct = total ? Math.min(100, Math.floor((done / total) * 100)) : null;
    const rate = done / Math.max(0.001, (now - this.started) / 1000);
    if (this.tty) {
      if (now - this.lastDraw < 100 && done !== total) return;
      this.lastDraw = now;
      const width = 30;
      const filled = pct === null ? 0 : Math.round((pct / 100) * width);
      const bar = pct === null ? '' : `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(pct).padStart(3)}% `;
      const eta = total && rate > 0 ? ` eta ${Math.max(0, Math.round((total - done) / rate))} s` : '';
      process.stderr.write(`\r${this.label} ${bar}${done}${total ? `/${total}` : ''} ${this.unit} ${rate.toFixed(1)} ${this.unit}/s${eta}   `);
    } else if (pct !== null && pct >= this.lastPct + 10) {
      this.lastPct = pct - (pct % 10);
      process.stderr.write(`${this.label} ${pct}% ${done}/${total} ${this.unit} ${rate.toFixed(1)} ${this.unit}/s\n`);
    }
  }

  /** Ends the bar's line. */
  done(): void {
    if (this.tty) process.stderr.write('\n');
  }
}
