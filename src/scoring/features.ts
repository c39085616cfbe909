// Encodes an application into the model's feature vector, exactly as the card's spec says:
// numeric → its value, boolean → 1/0, categorical → one-hot over the listed categories.
// Also builds the "what if this feature were the portfolio's reference" rows that explain a score.
import type { FeatureSpec, ModelCard } from './model-card';

/** The values the model reads: amount and termMonths from the application, the rest from the applicant. */
export type FeatureValues = Readonly<Record<string, unknown>>;

export class UnknownCategoryError extends Error {
  constructor(
    readonly feature: string,
    readonly value: unknown,
    readonly allowed: readonly string[],
  ) {
    super(`${feature}: ${JSON.stringify(value)} is not a category the model knows (expected one of: ${allowed.join(', ')})`);
  }
}

interface Column {
  readonly spec: FeatureSpec;
  readonly offset: number;
  readonly index?: ReadonlyMap<string, number>;
}

export class FeatureEncoder {
  readonly width: number;
  private readonly columns: readonly Column[];

  constructor(readonly card: ModelCard) {
    let offset = 0;
    this.columns = card.features.map((spec) => {
      const column: Column = { spec, offset, ...(spec.type === 'categorical' ? { index: new Map(spec.categories.map((c, i) => [c, i])) } : {}) };
      offset += spec.type === 'categorical' ? spec.categories.length : 1;
      return column;
    });
    this.width = offset;
  }

  get featureNames(): string[] {
    return this.columns.map((c) => c.spec.name);
  }

  private write(out: Float32Array, base: number, column: Column, value: unknown): void {
    const { spec, offset } = column;
    if (spec.type === 'numeric') {
      out[base + offset] = Number(value);
    } else if (spec.type === 'boolean') {
      out[base + offset] = value ? 1 : 0;
    } else {
      const i = column.index?.get(String(value));
      if (i === undefined) throw new UnknownCategoryError(spec.name, value, spec.categories);
      out.fill(0, base + offset, base + offset + spec.categories.length);
      out[base + offset + i] = 1;
    }
  }

  /**
   * Row 0: the applicant. Row k (1..F): the applicant with feature k-1 replaced by the
   * portfolio reference (mean, or most frequent value). One batch, one model run.
   */
  encodeWithReferences(values: FeatureValues): Float32Array {
    const rows = this.columns.length + 1;
    const out = new Float32Array(rows * this.width);
    for (const column of this.columns) this.write(out, 0, column, values[column.spec.name]);
    for (let r = 1; r < rows; r++) out.copyWithin(r * this.width, 0, this.width);
    this.columns.forEach((column, k) => this.write(out, (k + 1) * this.width, column, column.spec.reference));
    return out;
  }

  encode(values: FeatureValues): Float32Array {
    const out = new Float32Array(this.width);
    for (const column of this.columns) this.write(out, 0, column, values[column.spec.name]);
    return out;
  }
}

/** The feature values of an application's facts (amount and termMonths sit beside the applicant). */
export function featureValuesOf(input: { readonly amount: unknown; readonly termMonths: unknown; readonly applicant: object }): FeatureValues {
  return { ...input.applicant, amount: input.amount, termMonths: input.termMonths };
}
