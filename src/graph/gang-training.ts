// Offline training of the gang-case model: an L2-regularised logistic regression on community
// features, fitted by Newton's method in plain TypeScript so training needs no Python toolchain.

/**
 * What the exported ONNX graph computes: sigmoid(bias + Σ weights[j] · (x[j] − mean[j]) / scale[j]).
 * `featureNames` is deliberately excluded: names live on the model card, next to the file's hash.
 */
export interface GangParameters {
  featureNames?: never;
  mean: number[];
  scale: number[];
  weights: number[];
  bias: number;
}

export interface FitOptions {
  /**
   * Penalty λ in  −Σ sᵢ·loglik(i) + (λ/2)·‖w‖²  (weights on standardised features; the intercept
   * is free). It is not divided by the row count, so it is sklearn's 1/C.
   */
  l2: number;
  maxIterations?: number;
  /** Frequency weights (≥ 0): a weight of 2 fits exactly as the row given twice, standardisation included. */
  sampleWeights?: readonly number[];
}

const TOLERANCE = 1e-9;

/** sigmoid(z) without overflow for large |z|. */
function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** log(1 + e^z) without overflow: the per-row loss is softplus(z) − y·z. */
function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/**
 * Solves A·x = b for a symmetric positive-definite A (row-major, n×n) by Cholesky.
 * Returns undefined when A is not positive definite (e.g. separable data with l2 = 0).
 */
function choleskySolve(a: Float64Array, b: Float64Array, n: number): Float64Array | undefined {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * n + j]!;
      for (let k = 0; k < j; k++) sum -= l[i * n + k]! * l[j * n + k]!;
      if (i === j) {
        if (!(sum > 0)) return undefined;
        l[i * n + i] = Math.sqrt(sum);
      } else {
        l[i * n + j] = sum / l[j * n + j]!;
      }
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = b[i]!;
    for (let k = 0; k < i; k++) sum -= l[i * n + k]! * y[k]!;
    y[i] = sum / l[i * n + i]!;
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let sum = y[i]!;
    for (let k = i + 1; k < n; k++) sum -= l[k * n + i]! * x[k]!;
    x[i] = sum / l[i * n + i]!;
  }
  return x;
}

function checkInputs(rows: readonly (readonly number[])[], labels: readonly (0 | 1)[], options: FitOptions): number {
  if (rows.length === 0) throw new Error('cannot fit on zero rows');
  if (labels.length !== rows.length) throw new Error(`${rows.length} rows but ${labels.length} labels`);
  const width = rows[0]!.length;
  if (width === 0) throw new Error('rows have no features');
  rows.forEach((row, i) => {
    if (row.length !== width) throw new Error(`row ${i} has ${row.length} features, row 0 has ${width}`);
    if (!row.every(Number.isFinite)) throw new Error(`row ${i} has a non-finite feature`);
  });
  if (!labels.every((y) => y === 0 || y === 1)) throw new Error('labels must be 0 or 1');
  if (!(options.l2 >= 0) || !Number.isFinite(options.l2)) throw new Error(`l2 must be a finite number ≥ 0, got ${options.l2}`);
  const weights = options.sampleWeights;
  if (weights) {
    if (weights.length !== rows.length) throw new Error(`${rows.length} rows but ${weights.length} sample weights`);
    if (!weights.every((w) => Number.isFinite(w) && w >= 0)) throw new Error('sample weights must be finite and ≥ 0');
  }
  return width;
}

/**
 * Standardises the features and fits the regression by Newton/IRLS with a step-halving line
 * search, so every iteration lowers the penalised loss and the result is deterministic.
 */
export function fitLogisticRegression(rows: readonly (readonly number[])[], labels: readonly (0 | 1)[], options: FitOptions): GangParameters {
  const f = checkInputs(rows, labels, options);
  const n = rows.length;
  const maxIterations = options.maxIterations ?? 100;
  const s = options.sampleWeights ?? new Array<number>(n).fill(1);

  // Moments weighted like the loss: the penalty acts on standardised weights, so a row of weight 2
  // must also count twice here for it to mean exactly "this row, duplicated".
  const total = s.reduce((a, b) => a + b, 0);
  if (!(total > 0)) throw new Error('the sample weights sum to 0');
  const mean = new Array<number>(f).fill(0);
  const scale = new Array<number>(f).fill(0);
  rows.forEach((row, i) => {
    for (let j = 0; j < f; j++) mean[j]! += s[i]! * row[j]!;
  });
  for (let j = 0; j < f; j++) mean[j] = mean[j]! / total;
  rows.forEach((row, i) => {
    for (let j = 0; j < f; j++) scale[j]! += s[i]! * (row[j]! - mean[j]!) ** 2;
  });
  for (let j = 0; j < f; j++) {
    const std = Math.sqrt(scale[j]! / total);
    scale[j] = std > 0 ? std : 1;
  }

  // Design matrix with a leading 1 for the intercept: beta[0] is the bias.
  const p = f + 1;
  const x = new Float64Array(n * p);
  for (let i = 0; i < n; i++) {
    const row = rows[i]!;
    x[i * p] = 1;
    for (let j = 0; j < f; j++) x[i * p + j + 1] = (row[j]! - mean[j]!) / scale[j]!;
  }

  const linear = (beta: Float64Array, i: number) => {
    let z = 0;
    for (let k = 0; k < p; k++) z += x[i * p + k]! * beta[k]!;
    return z;
  };
  const loss = (beta: Float64Array) => {
    let total = 0;
    for (let i = 0; i < n; i++) {
      const z = linear(beta, i);
      total += s[i]! * (softplus(z) - labels[i]! * z);
    }
    for (let k = 1; k < p; k++) total += 0.5 * options.l2 * beta[k]! ** 2;
    return total;
  };

  let beta = new Float64Array(p);
  let current = loss(beta);
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    const gradient = new Float64Array(p);
    const hessian = new Float64Array(p * p);
    for (let i = 0; i < n; i++) {
      const mu = sigmoid(linear(beta, i));
      const residual = s[i]! * (mu - labels[i]!);
      const curvature = s[i]! * mu * (1 - mu);
      for (let a = 0; a < p; a++) {
        const xa = x[i * p + a]!;
        gradient[a]! += residual * xa;
        for (let b = 0; b <= a; b++) hessian[a * p + b]! += curvature * xa * x[i * p + b]!;
      }
    }
    for (let a = 0; a < p; a++) for (let b = 0; b < a; b++) hessian[b * p + a] = hessian[a * p + b]!;
    for (let k = 1; k < p; k++) {
      gradient[k]! += options.l2 * beta[k]!;
      hessian[k * p + k]! += options.l2;
    }

    const step = choleskySolve(hessian, gradient, p);
    if (!step) throw new Error('the Hessian is not positive definite (separable data or constant features?): use l2 > 0');

    // Step halving: a full Newton step can overshoot far from the optimum.
    let t = 1;
    let next = beta.map((b, k) => b - step[k]!);
    let nextLoss = loss(next);
    while (nextLoss > current && t > 1e-10) {
      t /= 2;
      next = beta.map((b, k) => b - t * step[k]!);
      nextLoss = loss(next);
    }
    let change = 0;
    for (let k = 0; k < p; k++) change = Math.max(change, Math.abs(next[k]! - beta[k]!));
    beta = next;
    current = nextLoss;
    if (change < TOLERANCE) break;
  }

  return { mean, scale, weights: Array.from(beta.subarray(1)), bias: beta[0]! };
}

/** The fitted probability for one row of raw (unstandardised) features. */
export function predictGang(params: GangParameters, row: readonly number[]): number {
  if (row.length !== params.weights.length) throw new Error(`row has ${row.length} features, the model expects ${params.weights.length}`);
  let z = params.bias;
  for (let j = 0; j < row.length; j++) z += params.weights[j]! * ((row[j]! - params.mean[j]!) / params.scale[j]!);
  return sigmoid(z);
}

/** Area under the ROC curve by the rank-sum statistic (mid-ranks, so ties count half). */
export function rocAuc(scores: readonly number[], labels: readonly (0 | 1)[]): number {
  if (scores.length !== labels.length) throw new Error(`${scores.length} scores but ${labels.length} labels`);
  if (scores.some(Number.isNaN)) throw new Error('a score is NaN, which has no rank');
  const order = scores.map((_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let positives = 0;
  let positiveRankSum = 0;
  for (let start = 0; start < order.length; ) {
    let end = start + 1;
    while (end < order.length && scores[order[end]!] === scores[order[start]!]) end++;
    const midRank = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) {
      if (labels[order[k]!] === 1) {
        positives++;
        positiveRankSum += midRank;
      }
    }
    start = end;
  }
  const negatives = scores.length - positives;
  if (positives === 0 || negatives === 0) return NaN;
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}
