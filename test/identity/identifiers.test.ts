import { describe, expect, it } from 'vitest';
import { IdentifierProtector, maskIdentifier, normaliseIdentifier } from '../../src/identity/identifiers';

const options = { defaultCountryCode: '86' };
const protector = new IdentifierProtector(Buffer.from('k'.repeat(32)), options);

describe('identifier normalisation links trivial variants', () => {
  it.each([
    ['phone', ['+86 138 0013 8000', '008613800138000', '138-0013-8000', '(+86) 13800138000', ' 13800138000 ']],
    ['email', ['Li.Wei@Example.com', ' li.wei@example.com ']],
    ['nationalId', ['110101 19900307 123x', '11010119900307123X', '110101-19900307-123X']],
    ['bankAccount', ['DE89 3704 0044 0532 0130 00', 'de89370400440532013000']],
    ['ip', ['10.1.2.3', '010.001.002.003', '::ffff:10.1.2.3']],
    ['address', ['12 Long St., Apt 3', '12  long st  apt 3']],
    ['employer', ['ACME Co., Ltd.', 'acme co ltd']],
  ] as const)('%s', (type, variants) => {
    const hashes = new Set(variants.map((v) => protector.hash(type, v)));
    expect(hashes.size).toBe(1);
  });

  it('keeps different values apart, and the same value of different types apart', () => {
    expect(protector.hash('phone', '13800138000')).not.toBe(protector.hash('phone', '13800138001'));
    expect(protector.hash('deviceId', 'abc')).not.toBe(protector.hash('employer', 'abc'));
  });

  it('hashes under the key: another key gives other hashes', () => {
    const other = new IdentifierProtector(Buffer.from('j'.repeat(32)), options);
    expect(other.hash('phone', '13800138000')).not.toBe(protector.hash('phone', '13800138000'));
    expect(protector.hash('phone', '13800138000')).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('masked display forms hide the personal data', () => {
  it.each([
    ['phone', '+86 138 0013 0001', '+86 138 **** 0001'],
    ['email', 'li.wei@example.com', 'l***@example.com'],
    ['bankAccount', 'DE89 3704 0044 0532 0130 00', '**** 3000'],
    ['ip', '10.1.2.3', '10.1.*.*'],
  ] as const)('%s %s → %s', (type, raw, masked) => {
    expect(maskIdentifier(type, normaliseIdentifier(type, raw, options), options)).toBe(masked);
  });

  it('never contains the normalised value of an id number', () => {
    const masked = protector.protect({ nationalId: '11010119900307123X' }).nationalId?.masked ?? '';
    expect(masked).not.toContain('19900307');
  });
});
