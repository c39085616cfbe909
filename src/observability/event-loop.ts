// Event-loop delay: how late a 10 ms timer fires, as the maximum over the last half second or so.
// Admission control refuses new decisions while it is high, and treats a stage budget that ran
// out while it was high as spent by the load rather than by the stage.
export class EventLoopDelay {
  private readonly timer: NodeJS.Timeout;
  private last = performance.now();
  private current = 0;
  private previous = 0;
  private bucketStart = performance.now();

  constructor(private readonly intervalMs = 10, private readonly windowMs = 500) {
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  private sample(): void {
    const now = performance.now();
    const lag = Math.max(0, now - this.last - this.intervalMs);
    this.last = now;
    if (now - this.bucketStart >= this.windowMs) {
      this.previous = this.current;
      this.current = 0;
      this.bucketStart = now;
    }
    if (lag > this.current) this.current = lag;
  }

  /** The largest delay seen in the current and the previous window, including a sample overdue right now. */
  recentMaxMs(): number {
    const overdue = Math.max(0, performance.now() - this.last - this.intervalMs);
    return Math.max(this.current, this.previous, overdue);
  }

  close(): void {
    clearInterval(this.timer);
  }
}
