import { describe, expect, it } from 'vitest';
import { FeatureEncoder, UnknownCategoryError } from '../../src/scoring/features';
import type { ModelCard } from '../../src/scoring/model-card';

const card = {
  input: { name: 'features', type: 'float32', width: 5 },
  features: [
    { name: 'amount', type: 'numeric', reference: 3000 },
    { name: 'hasTelephone', type: 'boolean', reference: false },
    { name: 'housing', type: 'categorical', categories: ['for_free', 'own', 'rent'], reference: 'own' },
  ],
} as unknown as ModelCard;

describe('FeatureEncoder', () => {
  const encoder = new FeatureEncoder(card);

  it('encodes numeric as the value, boolean as 1/0 and categorical one-hot, in card order', () => {
    expect([...encoder.encode({ amount: 1200, hasTelephone: true, housing: 'rent' })]).toEqual([1200, 1, 0, 0, 1]);
  });

  it('adds one row per feature with that feature set to the portfolio reference', () => {
    const rows = encoder.encodeWithReferences({ amount: 1200, hasTelephone: true, housing: 'rent' });
    expect(rows.length).toBe(4 * 5);
    expect([...rows.slice(5, 10)]).toEqual([3000, 1, 0, 0, 1]);
    expect([...rows.slice(10, 15)]).toEqual([1200, 0, 0, 0, 1]);
    expect([...rows.slice(15, 20)]).toEqual([1200, 1, 0, 1, 0]);
  });

  it('refuses a category the model has never seen, naming the field and the allowed values', () => {
    expect(() => encoder.encode({ amount: 1, hasTelephone: false, housing: 'boat' })).toThrow(UnknownCategoryError);
    expect(() => encoder.encode({ amount: 1, hasTelephone: false, housing: 'boat' })).toThrow('housing: "boat" is not a category the model knows (expected one of: for_free, own, rent)');
  });
});
