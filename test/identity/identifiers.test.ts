// Identifier canonicalisation (docs/identifiers.md): spellings of one value link, different values
// stay apart, placeholders are absent, each value gets a validity verdict, masks show little.
import { domainToASCII } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  checkIdentifier,
  IDENTIFIER_TYPES,
  IdentifierProtector,
  maskBudget,
  maskIdentifier,
  normaliseIdentifier,
  residentIdCheckCharacter,
  type IdentifierType,
} from '../../src/identity/identifiers';

const options = { defaultCountryCode: '86' };
const protector = new IdentifierProtector(Buffer.from('k'.repeat(32)), options);
const check = (type: IdentifierType, raw: string) => checkIdentifier(type, raw, options);

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
    expect(protector.hash('deviceId', 'abcdefgh')).not.toBe(protector.hash('employer', 'abcdefgh'));
  });

  it('hashes under the key: another key gives other hashes', () => {
    const other = new IdentifierProtector(Buffer.from('j'.repeat(32)), options);
    expect(other.hash('phone', '13800138000')).not.toBe(protector.hash('phone', '13800138000'));
    expect(protector.hash('phone', '13800138000')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keeps the canonical form of plain values as before, so stored hashes still link', () => {
    expect(normaliseIdentifier('phone', '+86 138 0013 8000', options)).toBe('8613800138000');
    expect(normaliseIdentifier('email', ' Li.Wei@Example.com ', options)).toBe('li.wei@example.com');
    expect(normaliseIdentifier('nationalId', '110101-19900307-123x', options)).toBe('11010119900307123X');
    expect(normaliseIdentifier('deviceId', 'Dev-7F3A-Good', options)).toBe('dev-7f3a-good');
    expect(normaliseIdentifier('address', '12 Long St., Apt 3', options)).toBe('12 long st apt 3');
  });
});

// Cyrillic а е і о р с, Greek α ο, and the invisible characters, written as escapes so the table is readable.
const CYR_A = '\u0430';
const CYR_E = '\u0435';
const CYR_I = '\u0456';
const CYR_O = '\u043e';
const GREEK_ALPHA = '\u03b1';
const GREEK_OMICRON = '\u03bf';
const ZWSP = '\u200b';
const ZWJ = '\u200d';
const ZWNJ = '\u200c';
const BOM = '\ufeff';
const SHY = '\u00ad';
const WORD_JOINER = '\u2060';
const RLO = '\u202e';
const fullWidth = (s: string) => s.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
const digitsIn = (zero: number) => (s: string) => s.replace(/[0-9]/g, (d) => String.fromCodePoint(zero + Number(d)));
const arabicIndic = digitsIn(0x0660);
const extendedArabicIndic = digitsIn(0x06f0);
const devanagari = digitsIn(0x0966);
const bengali = digitsIn(0x09e6);
const thai = digitsIn(0x0e50);
const mathBold = digitsIn(0x1d7ce);

const PHONE = '13800138000';
const ID = '110101199003071233'; // a resident id whose MOD 11-2 check digit holds
const ID_X = '11010519491231109X';
const IBAN = 'DE89 3704 0044 0532 0130 00';
const GB_IBAN = 'GB29 NWBK 6016 1331 9268 19';
const CARD = '6222 0212 3456 7894'; // Luhn-valid
const UUID = '7f3a0c2e-4b1d-4e8f-9a6b-0c1d2e3f4a5b';

/** Evasions: each pair must give the SAME hash. */
const SAME: readonly (readonly [IdentifierType, string, string])[] = [
  // phone: country-code prefixes, extensions, Unicode digits, invisible characters, O for 0
  ['phone', '+86 138 0013 8000', '+086 138 0013 8000'],
  ['phone', '+86 138 0013 8000', '+0086 138 0013 8000'],
  ['phone', '+86 138 0013 8000', '0086 138 0013 8000'],
  ['phone', '+86 138 0013 8000', '00 86 138 0013 8000'],
  ['phone', PHONE, `${PHONE} ext 1`],
  ['phone', PHONE, `${PHONE} x123`],
  ['phone', PHONE, `${PHONE}x123`],
  ['phone', PHONE, '138-0013-8000 #123'],
  ['phone', PHONE, `${PHONE};ext=42`],
  ['phone', PHONE, '138 0013 8000 ext. 7'],
  ['phone', PHONE, fullWidth(PHONE)],
  ['phone', PHONE, arabicIndic(PHONE)],
  ['phone', PHONE, extendedArabicIndic(PHONE)],
  ['phone', PHONE, devanagari(PHONE)],
  ['phone', PHONE, bengali(PHONE)],
  ['phone', PHONE, thai(PHONE)],
  ['phone', PHONE, mathBold(PHONE)],
  ['phone', PHONE, `138${ZWSP}0013${ZWJ}8000`],
  ['phone', PHONE, `${BOM}${PHONE}`],
  ['phone', PHONE, `138${SHY}0013${SHY}8000`],
  ['phone', PHONE, '138OO138OOO'],
  ['phone', PHONE, '(+86) 138-0013-8000'],
  ['phone', PHONE, '+86 (0) 138 0013 8000'],
  ['phone', PHONE, 'tel: +86 138 0013 8000'],
  ['phone', PHONE, '8613800138000'],
  ['phone', '+44 7911 123456', '+44 (0)7911 123456'],
  ['phone', '+44 7911 123456', '0044 7911 123456 ext 3'],
  ['phone', '+44 7911 123456', '447911123456'],
  ['phone', PHONE, '+13800138000'],
  ['phone', PHONE, `${PHONE},,123`],
  ['phone', '010 6552 9988', '010-6552-9988\u8f6c123'],
  // email: case, look-alikes, invisible characters, full width, punycode, mailto:, Gmail's documented folding
  ['email', 'li.wei@example.com', 'LI.WEI@EXAMPLE.COM'],
  ['email', 'li.wei@example.com', `li.w${CYR_E}i@example.com`],
  ['email', 'li.wei@example.com', `li.wei@ex${CYR_A}mple.com`],
  ['email', 'li.wei@example.com', `li.wei@ex${GREEK_ALPHA}mple.com`],
  ['email', 'li.wei@example.com', `l${CYR_I}.wei@example.com`],
  ['email', 'li.wei@example.com', `li.wei@exampl${CYR_E}.c${CYR_O}m`],
  ['email', 'li.wei@example.com', `li.wei@ex${ZWJ}ample.com`],
  ['email', 'li.wei@example.com', `li${ZWSP}.wei@example.com`],
  ['email', 'li.wei@example.com', `li.wei${WORD_JOINER}@example.com`],
  ['email', 'li.wei@example.com', fullWidth('li.wei@example.com')],
  ['email', 'li.wei@example.com', 'li.wei@example\u3002com'],
  ['email', 'li.wei@example.com', `li.wei@${domainToASCII(`ex${CYR_A}mple.com`)}`],
  ['email', 'li.wei@example.com', 'mailto:li.wei@example.com'],
  ['email', 'li.wei@example.com', 'Li Wei <Li.Wei@Example.com>'],
  ['email', 'li.wei@example.com', 'li.w\u00e9i@example.com'],
  ['email', 'john.smith@gmail.com', 'johnsmith+loans@googlemail.com'],
  ['email', 'john.smith@gmail.com', 'J.O.H.N.S.M.I.T.H@GMAIL.COM'],
  // national id: separators, O for 0, I / l for 1, full width, invisible, look-alike series letter
  ['nationalId', ID, '110101 19900307 1233'],
  ['nationalId', ID, '110101-1990-0307-1233'],
  ['nationalId', ID, '11O1O1199OO3O71233'],
  ['nationalId', ID, 'l10101l99003071233'],
  ['nationalId', ID, 'I10101I99003071233'],
  ['nationalId', ID, `110101${ZWSP}199003071233`],
  ['nationalId', ID, fullWidth(ID)],
  ['nationalId', ID, arabicIndic(ID)],
  ['nationalId', ID_X, '11010519491231109x'],
  ['nationalId', ID_X, '11010519491231109\u00d7'],
  ['nationalId', ID_X, '11O1O519491231lO9x'],
  ['nationalId', 'E12345678', `${'\u0415'}12345678`],
  ['nationalId', 'G12345670', 'G1234567O'],
  ['nationalId', 'A1234567', 'A123456(7)'],
  // bank account: spacing, O for 0, look-alike country letters, full width, card numbers
  ['bankAccount', IBAN, 'de89370400440532013000'],
  ['bankAccount', IBAN, 'DE89 37O4 OO44 O532 Ol3O OO'],
  ['bankAccount', IBAN, `D${'\u0415'}89 3704 0044 0532 0130 00`],
  ['bankAccount', IBAN, fullWidth('DE89 3704 0044 0532 0130 00')],
  ['bankAccount', IBAN, `DE89${SHY}3704${ZWNJ}0044 0532 0130 00`],
  ['bankAccount', GB_IBAN, 'GB29 NWBK 6O16 1331 9268 19'],
  ['bankAccount', CARD, '6222 O2l2 3456 7894'],
  ['bankAccount', CARD, '6222-0212-3456-7894'],
  ['bankAccount', '4111 1111 1111 1111', '4lll-llll-llll-llll'],
  // device id: look-alikes, case, invisible, full width, O for 0 in hex ids, braces
  ['deviceId', 'dev-7f3a-good', `d${CYR_E}v-7f3a-good`],
  ['deviceId', 'dev-7f3a-good', `dev-7f3a-g${GREEK_OMICRON}od`],
  ['deviceId', 'dev-7f3a-good', 'DEV-7F3A-GOOD'],
  ['deviceId', 'dev-7f3a-good', `dev-7f3a-go${ZWSP}od`],
  ['deviceId', 'dev-7f3a-good', `dev-7f3a-good${RLO}`],
  ['deviceId', 'dev-7f3a-good', fullWidth('dev-7f3a-good')],
  ['deviceId', UUID, UUID.toUpperCase().replace(/0/g, 'O')],
  ['deviceId', UUID, `{${UUID}}`],
  // ip: leading zeros, mapped IPv6, full width, ports, IPv6 spellings
  ['ip', '58.32.1.7', '058.032.001.007'],
  ['ip', '58.32.1.7', '::ffff:58.32.1.7'],
  ['ip', '58.32.1.7', fullWidth('58.32.1.7')],
  ['ip', '58.32.1.7', '58.32.1.7:443'],
  ['ip', '58.32.1.7', `58.32.1.7${ZWSP}`],
  ['ip', '2400:cb00:2048:1::c629:d7a2', '2400:CB00:2048:0001:0000:0000:C629:D7A2'],
  ['ip', '2400:cb00:2048:1::c629:d7a2', '[2400:cb00:2048:1::c629:d7a2]:443'],
  // address and employer: punctuation, spacing, look-alikes in Latin text, full width, invisible
  ['address', '12 Long St., Apt 3', '12  long st  apt 3'],
  ['address', '12 Long St, Apt 3', `12 L${CYR_O}ng St, Apt 3`],
  ['address', '12 Long St, Apt 3', fullWidth('12 Long St, Apt 3')],
  ['address', '12 Long St, Apt 3', `12 Long${ZWSP} St, Apt 3`],
  ['address', '88 Jianguo Road', `${arabicIndic('88')} Jianguo Road`],
  ['employer', 'ACME Co., Ltd.', 'acme co ltd'],
  ['employer', 'ACME Co Ltd', '\u0410\u0421\u041c\u0415 Co Ltd'],
  ['employer', 'ACME Co Ltd', `AC${SHY}ME Co Ltd`],
  ['employer', 'ACME Co Ltd', fullWidth('ACME Co Ltd')],
];

/** Genuinely different values: each pair must keep DIFFERENT hashes. */
const DIFFERENT: readonly (readonly [IdentifierType, string, string])[] = [
  ['phone', '+86 138 0013 8000', '+86 138 0013 8001'],
  ['phone', '+1 212 555 0123', '212 555 0123'],
  ['phone', `${PHONE} ext 1`, '13800138001'],
  ['phone', '+44 7911 123456', '+86 7911 123456'],
  ['email', 'bob@x.com', 'b0b@x.com'],
  ['email', 'li.wei@example.com', 'liwei@example.com'],
  ['email', 'li.wei+a@example.com', 'li.wei@example.com'],
  ['email', 'li.wei@example.com', 'li.wei@example.co'],
  ['email', 'john@gmail.com', 'jon@gmail.com'],
  ['nationalId', ID, '110101199003081233'],
  ['nationalId', 'E12345678', 'G12345678'],
  ['nationalId', 'L1234567', '11234567'],
  ['bankAccount', IBAN, GB_IBAN],
  ['bankAccount', 'DE89370400440532013000', 'DE89370400440532013001'],
  ['bankAccount', 'IE29 AIBK 9311 5212 3456 78', 'IE29 A1BK 9311 5212 3456 78'],
  ['bankAccount', 'IL62 0108 0000 0009 9999 999', '1162 0108 0000 0009 9999 999'],
  ['bankAccount', CARD, '6222 0212 3456 7895'],
  ['deviceId', 'dev-7f3a-good', 'dev-7f3a-g00d'],
  ['deviceId', 'abcdef12', 'abcdef13'],
  ['ip', '58.32.1.7', '58.32.1.70'],
  ['ip', '58.32.1.7', '::ffff:58.32.1.8'],
  ['address', '12 Long St', '21 Long St'],
  ['address', 'M\u00fcllerstra\u00dfe 5', 'Mullerstrasse 5'],
  ['employer', 'Acme Co Ltd', 'Acne Co Ltd'],
];

describe('evasions and collisions (table-driven)', () => {
  it('has at least 50 pairs', () => {
    expect(SAME.length + DIFFERENT.length).toBeGreaterThanOrEqual(50);
  });

  it.each(SAME)('%s: %j and %j give the same hash', (type, a, b) => {
    expect(check(type, b).present).toBe(true);
    expect(protector.hash(type, b)).toBe(protector.hash(type, a));
  });

  it.each(DIFFERENT)('%s: %j and %j stay apart', (type, a, b) => {
    expect(check(type, a).present && check(type, b).present).toBe(true);
    expect(protector.hash(type, b)).not.toBe(protector.hash(type, a));
  });
});

describe('placeholders are absent: no hash, no graph link', () => {
  const COMMON = ['N/A', 'n.a.', 'NA', 'none', 'NONE', 'unknown', 'null', 'NULL', 'nil', '-', '--', '?', '...', 'tbd', 'not provided',
    'no phone', 'no email', '0000000', fullWidth('0000000'), arabicIndic('0000000'), extendedArabicIndic('0000000'), 'xxxxxx',
    '1234567890', '   ', ZWSP, `${BOM}${ZWSP}`, `n${CYR_O}ne`, fullWidth('N/A'), '\u65e0', '\u4e0d\u8be6', '\u672a\u77e5', '\u6682\u65e0'];

  it.each(IDENTIFIER_TYPES.flatMap((type) => COMMON.map((raw) => [type, raw] as const)))('%s %j', (type, raw) => {
    const verdict = check(type, raw);
    expect(verdict.present).toBe(false);
    expect(verdict.valid).toBe(false);
    expect(protector.protect({ [type]: raw })).toEqual({});
  });

  it.each([
    ['phone', '+86 000 0000 0000'],
    ['phone', '+86 123 4567 8901'],
    ['phone', 'ask me'],
    ['phone', '+86'],
    ['phone', '+86 '],
    ['phone', '1'],
    ['email', 'none@none.com'],
    ['email', 'noemail@example.com'],
    ['email', 'N/A@N/A'],
    ['ip', '0.0.0.0'],
    ['ip', '127.0.0.1'],
    ['ip', '::'],
    ['ip', '::1'],
    ['ip', '255.255.255.255'],
    ['deviceId', '00000000-0000-0000-0000-000000000000'],
    ['deviceId', 'ffffffff-ffff-ffff-ffff-ffffffffffff'],
    ['bankAccount', '0000 0000 0000 0000'],
    ['nationalId', '000000000000000000'],
    ['employer', 'self employed'],
    ['employer', 'Self-Employed'],
    ['employer', 'Unemployed'],
    ['employer', 'retired'],
    ['address', 'no fixed abode'],
  ] as const)('%s %j', (type, raw) => {
    expect(check(type, raw).present).toBe(false);
  });

  it('no longer links a "no phone" applicant to strangers: the old attack values hash to nothing', () => {
    const attack = ['N/A', 'none', 'unknown', 'no phone', '-', 'null', '0000000', fullWidth('0000000'), arabicIndic('0000000')];
    for (const phone of attack) expect(protector.protect({ phone }).phone).toBeUndefined();
  });

  it('maps full-width and Arabic-Indic phone numbers to their own number, not to one shared hash', () => {
    const hashes = ['13800138000', '13912345678', '15011112222'].flatMap((n) => [fullWidth(n), arabicIndic(n), extendedArabicIndic(n)].map((v) => protector.hash('phone', v)));
    expect(new Set(hashes).size).toBe(3);
    expect(hashes[0]).toBe(protector.hash('phone', '13800138000'));
  });

  it('a placeholder list entry hashes to a value no carried identifier has', () => {
    const carried = protector.protect({ phone: '+86 138 0013 8000' }).phone?.hash;
    expect(protector.hash('phone', 'N/A')).not.toBe(carried);
    expect(protector.hash('phone', 'N/A')).toBe(protector.hash('phone', 'none'));
  });

  it('does not mistake real values for placeholders', () => {
    for (const [type, raw] of [['ip', '8.8.8.8'], ['ip', '1.1.1.1'], ['phone', '13333333333'], ['employer', 'Acme Trading'], ['email', 'info@acme.com'], ['nationalId', 'E12345678']] as const) {
      expect(check(type, raw).present).toBe(true);
    }
  });
});

describe('validity', () => {
  const dateInvalidId = (() => {
    const first17 = '11010119901307123'; // month 13
    return first17 + residentIdCheckCharacter(first17);
  })();

  it.each([
    ['phone', '+86 138 0013 8000', true, undefined],
    ['phone', '+44 7911 123456', true, undefined],
    ['phone', '+1 212 555 0123', true, undefined],
    ['phone', '010 6552 9988', true, undefined],
    ['phone', '13800', false, 'phone-not-valid'],
    ['phone', '+86 100 0000 0001', false, 'phone-not-valid'],
    ['phone', '+999 12', false, 'phone-unparseable'],
    ['email', 'li.wei@example.com', true, undefined],
    ['email', 'a.b-c_d+e@mail.example.co.uk', true, undefined],
    ['email', 'li.wei@example', false, 'email-syntax'],
    ['email', 'li..wei@example.com', false, 'email-syntax'],
    ['email', '@example.com', false, 'email-syntax'],
    ['email', 'li wei', false, 'email-syntax'],
    ['email', 'li@exa_mple.com', false, 'email-syntax'],
    ['email', 'li@example.123', false, 'email-syntax'],
    ['email', 'li@[58.32.1.7]', false, 'email-syntax'],
    ['ip', '58.32.1.7', true, undefined],
    ['ip', '2400:cb00:2048:1::c629:d7a2', true, undefined],
    ['ip', '10.0.0.1', false, 'ip-not-public'],
    ['ip', '172.16.4.1', false, 'ip-not-public'],
    ['ip', '192.168.1.10', false, 'ip-not-public'],
    ['ip', '100.64.0.1', false, 'ip-not-public'],
    ['ip', '169.254.1.1', false, 'ip-not-public'],
    ['ip', '224.0.0.1', false, 'ip-not-public'],
    ['ip', 'fe80::1%eth0', false, 'ip-not-public'],
    ['ip', 'fd12:3456::1', false, 'ip-not-public'],
    ['ip', '2001:db8::1', false, 'ip-not-public'],
    ['ip', '256.1.1.1', false, 'ip-syntax'],
    ['ip', '1.2.3', false, 'ip-syntax'],
    ['ip', 'localhost', false, 'ip-syntax'],
    ['nationalId', ID, true, undefined],
    ['nationalId', ID_X, true, undefined],
    ['nationalId', '110101199003071234', false, 'national-id-check-digit'],
    ['nationalId', dateInvalidId, false, 'national-id-birth-date'],
    ['nationalId', 'E12345678', true, undefined],
    ['nationalId', '110101900307123', true, undefined],
    ['nationalId', 'AB12', false, 'national-id-shape'],
    ['nationalId', 'ABCDEFGHJK1234567890123', false, 'national-id-shape'],
    ['bankAccount', CARD, true, undefined],
    ['bankAccount', '6222 0212 3456 7895', false, 'bank-account-luhn'],
    ['bankAccount', IBAN, true, undefined],
    ['bankAccount', GB_IBAN, true, undefined],
    ['bankAccount', 'DE88 3704 0044 0532 0130 00', false, 'bank-account-iban-check'],
    ['bankAccount', '40010034', true, undefined],
    ['bankAccount', '9876', false, 'bank-account-shape'],
    ['deviceId', 'dev-7f3a-good', true, undefined],
    ['deviceId', 'abcdefgh', true, undefined],
    ['deviceId', 'abcdefg', false, 'device-id-too-short'],
    ['address', '12 Long Street', true, undefined],
    ['address', '\u5317\u4eac\u5e02\u671d\u9633\u533a\u5efa\u56fd\u8def88\u53f7', true, undefined],
    ['address', '123', false, 'text-too-thin'],
    ['address', 'Flat', false, 'text-too-thin'],
    ['address', '#12/3', false, 'text-too-thin'],
    ['employer', 'Acme Trading', true, undefined],
    ['employer', 'Huawei', true, undefined],
    ['employer', '\u534e\u4e3a', true, undefined],
    ['employer', 'IBM', false, 'text-too-thin'],
    ['employer', 'asdf', false, 'text-too-thin'],
    ['employer', 'aaaa bbbb', false, 'text-too-thin'],
  ] as const)('%s %j → valid %s (%s)', (type, raw, valid, reason) => {
    const verdict = check(type, raw);
    expect(verdict.present).toBe(true);
    expect(verdict.valid).toBe(valid);
    expect(verdict.reason).toBe(reason);
  });

  it('invalid values are still hashed and carried (a reused junk value still links), marked invalid', () => {
    const a = protector.protect({ employer: 'asdf', ip: '999.1.1.1', address: '12' });
    const b = protector.protect({ employer: 'ASDF', ip: '999.1.1.1', address: '12' });
    expect(Object.keys(a).sort()).toEqual(['address', 'employer', 'ip']);
    for (const type of ['address', 'employer', 'ip'] as const) {
      expect(a[type]?.valid).toBe(false);
      expect(a[type]?.hash).toBe(b[type]?.hash);
    }
  });

  it('protect() gives hash, mask and validity per carried type and skips empty values and placeholders', () => {
    const out = protector.protect({ phone: '+86 138 0013 8000', email: 'N/A', ip: '10.0.0.1', employer: '', deviceId: 'dev-7f3a-good' });
    expect(Object.keys(out).sort()).toEqual(['deviceId', 'ip', 'phone']);
    expect(out.phone).toEqual({ hash: protector.hash('phone', '13800138000'), masked: '***8000', valid: true });
    expect(out.ip?.valid).toBe(false);
    expect(out.deviceId?.valid).toBe(true);
  });
});

/** A small deterministic generator for the property test. */
function rng(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[int(0, xs.length - 1)] as T;
  const str = (alphabet: string, lo: number, hi: number) => Array.from({ length: int(lo, hi) }, () => pick([...alphabet])).join('');
  return { next, int, pick, str };
}

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';
const HEX = '0123456789abcdef';
const ODD = `${CYR_A}${CYR_O}${GREEK_ALPHA}\u00e9\u00fc\u4e2d\u6587\u5317\u4eac${ZWSP}${SHY}\uff10\uff21\u0661-_.@:+#/ *()`;

function generate(type: IdentifierType, r: ReturnType<typeof rng>): string {
  if (r.next() < 0.15) return r.str(LOWER + DIGITS + ODD, 0, 40); // junk of any kind
  switch (type) {
    case 'phone':
      return `${r.pick(['', '+86 ', '+1 ', '+44 ', '0086', '+086 ', '0'])}${r.str(DIGITS, 1, 14)}${r.pick(['', ' ext 12', 'x9', ''])}`;
    case 'email':
      return `${r.str(LOWER + DIGITS + '.+', 1, 20)}@${r.str(LOWER, 1, 12)}.${r.pick(['com', 'cn', 'co.uk', 'io', ''])}`;
    case 'ip':
      return r.next() < 0.6
        ? Array.from({ length: 4 }, () => r.int(0, 300)).join('.')
        : Array.from({ length: 8 }, () => r.str(HEX, 1, 4)).join(':');
    case 'nationalId':
      return r.pick([r.str(DIGITS, 17, 17) + r.pick(['X', '1', '7']), r.str(DIGITS, 15, 15), r.str('ABCDEG', 1, 2) + r.str(DIGITS, 4, 12), r.str(DIGITS + 'OIL', 3, 24)]);
    case 'bankAccount':
      return r.pick([r.str(DIGITS, 12, 19), `${r.str('ABCDEFGHIJKLMNOPQRSTUVWXYZ', 2, 2)}${r.str(DIGITS, 2, 2)}${r.str(DIGITS + 'ABCD', 11, 30)}`, r.str(DIGITS + ' -', 4, 40)]);
    case 'deviceId':
      return r.pick([r.str(HEX + '-', 1, 40), `dev-${r.str(LOWER + DIGITS, 1, 20)}`, r.str(LOWER + DIGITS + 'OIL', 1, 12)]);
    case 'address':
    case 'employer':
      return Array.from({ length: r.int(1, 6) }, () => r.pick([r.str(LOWER, 1, 12), r.str(DIGITS, 1, 4), r.str('\u5317\u4eac\u5e02\u8def\u53f7\u516c\u53f8', 1, 6)])).join(r.pick([' ', ', ', '  ']));
  }
}

/** The characters a mask reveals: everything but the * that stand for hidden ones. */
const revealedOf = (masked: string) => [...masked].filter((c) => c !== '*');
function isSubsequence(shown: readonly string[], of: readonly string[]): boolean {
  let i = 0;
  for (const c of of) if (i < shown.length && shown[i] === c) i++;
  return i === shown.length;
}

describe('masks', () => {
  it.each([
    ['phone', '+86 138 0013 8000', '***8000'],
    ['phone', '+86 123 4567 8912', '***8912'],
    ['email', 'li.wei@example.com', 'l***@***.com'],
    ['email', 'bob@x.com', 'b***@***'],
    ['bankAccount', IBAN, 'DE***3000'],
    ['bankAccount', CARD, '6***7894'],
    ['ip', '58.32.1.7', '58.***'],
    ['ip', '10.1.2.3', '***'],
    ['nationalId', ID, '110***233'],
    ['nationalId', 'AB123456', 'A***6'],
    ['deviceId', 'dev-7f3a-good', 'de***od'],
    ['employer', 'acme', '***'],
    ['employer', 'ACME Co., Ltd.', 'acm***'],
    ['address', '12 Long St., Apt 3', '12 lo***'],
  ] as const)('%s %j → %j', (type, raw, masked) => {
    expect(maskIdentifier(type, normaliseIdentifier(type, raw, options), options)).toBe(masked);
    expect(protector.protect({ [type]: raw })[type]?.masked).toBe(masked);
  });

  it('never contains the birth date of a resident id', () => {
    const masked = protector.protect({ nationalId: ID }).nationalId?.masked ?? '';
    expect(masked).not.toContain('19900307');
  });

  it('property: over many values of every type, a mask reveals at most a third of the canonical value, and nothing under 6 characters', () => {
    const r = rng(20240607);
    const failures: string[] = [];
    let checked = 0;
    for (const type of IDENTIFIER_TYPES) {
      for (let i = 0; i < 600; i++) {
        const raw = generate(type, r);
        const verdict = check(type, raw);
        if (!verdict.present) continue;
        checked++;
        const canonical = [...verdict.canonical];
        const masked = maskIdentifier(type, verdict.canonical, options);
        const revealed = revealedOf(masked);
        const limit = canonical.length < 6 ? 0 : Math.floor(canonical.length / 3);
        if (revealed.length > limit || limit !== maskBudget(verdict.canonical)) failures.push(`${type} ${JSON.stringify(raw)} → ${JSON.stringify(verdict.canonical)} masked ${JSON.stringify(masked)} (${revealed.length} > ${limit})`);
        // What is shown is the value's own characters, in order: no formatting that could hide a count.
        if (!isSubsequence(revealed, canonical)) failures.push(`${type} ${JSON.stringify(masked)} is not drawn from ${JSON.stringify(verdict.canonical)}`);
        if (protector.protect({ [type]: raw })[type]?.masked !== masked) failures.push(`${type} ${JSON.stringify(raw)}: protect() masks differently`);
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(IDENTIFIER_TYPES.length * 300);
  });

  it('property: the canonical form of every type but phone is a fixed point', () => {
    const r = rng(7);
    const failures: string[] = [];
    for (const type of IDENTIFIER_TYPES.filter((t) => t !== 'phone')) {
      for (let i = 0; i < 400; i++) {
        const verdict = check(type, generate(type, r));
        if (!verdict.present) continue;
        const again = check(type, verdict.canonical);
        if (again.canonical !== verdict.canonical || again.valid !== verdict.valid) failures.push(`${type} ${JSON.stringify(verdict.canonical)} → ${JSON.stringify(again.canonical)}`);
      }
    }
    expect(failures).toEqual([]);
  });
});

describe('volume', () => {
  it('canonicalises 10,000 mixed identifiers', () => {
    const r = rng(99);
    let present = 0;
    for (let i = 0; i < 10_000; i++) {
      const type = IDENTIFIER_TYPES[i % IDENTIFIER_TYPES.length] as IdentifierType;
      if (check(type, generate(type, r)).present) present++;
    }
    expect(present).toBeGreaterThan(5_000);
  });
});
