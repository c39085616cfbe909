// Population stability index of live scores against the training distribution (the card's PD
// deciles): PSI = Σ (actual − expected) · ln(actual / expected). Rule of thumb: < 0.1 stable,
// 0.1–0.25 drifting, > 0.25 shifted enough to review the model.

/** Empty bins would make ln(0); a small floor keeps the index finite (standard practice). */
const FLOOR = 1e-4;

export class PsiMonitor {
  private readonly counts: number[];
  private total = 0;

  constructor(
    private readonly binEdges: readonly number[],
    private readonly expected: readonly number[],
  ) {
    this.counts = new Array<number>(expected.length).fill(0);
  }

  private bin(pd: number): number {
    let i = 0;
    while (i < this.binEdges.length && pd >= (this.binEdges[i] ?? Infinity)) i++;
    return i;
  }

  record(pd: number): void {
    const i = this.bin(pd);
    this.counts[i] = (this.counts[i] ?? 0) + 1;
    this.total++;
  }

  get observations(): number {
    return this.total;
  }

  /** The index over everything recorded so far; 0 before any score. */
  value(): number {
    if (this.total === 0) return 0;
    let psi = 0;
    this.expected.forEach((e, i) => {
      const a = Math.max(FLOOR, (this.counts[i] ?? 0) / this.total);
      const x = Math.max(FLOOR, e);
      psi += (a - x) * Math.log(a / x);
    });
    return psi;
  }
}
