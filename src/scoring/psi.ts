// Population stability index of live scores against the training distribution (the card's PD
// deciles): PSI = Σ (actual − expected) · ln(actual / expected). Rule of thumb: < 0.1 stable,
// 0.1–0.25 drifting, > 0.25 shifted enough to review the model.
//
// Over a sliding window of the most recent scores (so a shift that has ended stops showing), and
// only from a minimum sample: with 10 bins, a handful of scores gives a large index by chance alone
// (one score reads 8.28), which would trip any drift alert after every restart. The expected index
// of a sample drawn from the reference itself is about (bins − 1) / n: 0.018 at 500 scores.

/** Empty bins would make ln(0); a small floor keeps the index finite (standard practice). */
const FLOOR = 1e-4;

/** The window: the last this many scores. */
export const PSI_WINDOW = 5_000;
/** No index is reported below this many scores in the window. */
export const PSI_MIN_SAMPLE = 500;

export interface PsiOptions {
  /** The last this many scores are compared (default PSI_WINDOW). */
  readonly window?: number;
  /** Below this many scores in the window value() is undefined (default PSI_MIN_SAMPLE, at most the window). */
  readonly minSample?: number;
}

export class PsiMonitor {
  private readonly counts: number[];
  /** The window's scores as bin indices, a ring buffer. */
  private readonly recent: Uint16Array;
  private next = 0;
  private size = 0;
  private total = 0;
  readonly window: number;
  readonly minSample: number;

  constructor(
    private readonly binEdges: readonly number[],
    private readonly expected: readonly number[],
    options: PsiOptions = {},
  ) {
    this.counts = new Array<number>(expected.length).fill(0);
    this.window = Math.max(1, Math.floor(options.window ?? PSI_WINDOW));
    this.minSample = Math.min(this.window, Math.max(1, Math.floor(options.minSample ?? PSI_MIN_SAMPLE)));
    this.recent = new Uint16Array(this.window);
  }

  private bin(pd: number): number {
    let i = 0;
    while (i < this.binEdges.length && pd >= (this.binEdges[i] ?? Infinity)) i++;
    return i;
  }

  record(pd: number): void {
    const i = this.bin(pd);
    if (this.size === this.window) {
      const old = this.recent[this.next] ?? 0;
      this.counts[old] = (this.counts[old] ?? 0) - 1;
    } else this.size++;
    this.recent[this.next] = i;
    this.next = (this.next + 1) % this.window;
    this.counts[i] = (this.counts[i] ?? 0) + 1;
    this.total++;
  }

  /** Scores recorded since start. */
  get observations(): number {
    return this.total;
  }

  /** Scores in the window now (what the index is computed over). */
  get sample(): number {
    return this.size;
  }

  /** The index over the window; undefined until it holds minSample scores. */
  value(): number | undefined {
    if (this.size < this.minSample) return undefined;
    let psi = 0;
    this.expected.forEach((e, i) => {
      const a = Math.max(FLOOR, (this.counts[i] ?? 0) / this.size);
      const x = Math.max(FLOOR, e);
      psi += (a - x) * Math.log(a / x);
    });
    return psi;
  }
}
