// Personal identifiers: canonicalised so that spellings of the same value link and junk links
// nothing, then kept only as keyed hashes (HMAC-SHA256) plus a masked display form. Raw values
// never leave this module's callers' stack. docs/identifiers.md describes every rule here.
import { createHmac } from 'node:crypto';
import { isIPv6 } from 'node:net';
import { domainToUnicode } from 'node:url';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

export const IDENTIFIER_TYPES = [
  'nationalId',
  'phone',
  'deviceId',
  'ip',
  'email',
  'address',
  'bankAccount',
  'employer',
] as const;

export type IdentifierType = (typeof IDENTIFIER_TYPES)[number];
export type RawIdentifiers = Partial<Record<IdentifierType, string>>;

/** What the system keeps of one identifier: never the raw value. */
export interface ProtectedIdentifier {
  readonly hash: string;
  readonly masked: string;
  /** Whether the value is a well-formed identifier of its type (see checkIdentifier). */
  readonly valid: boolean;
}
export type ProtectedIdentifiers = Partial<Record<IdentifierType, ProtectedIdentifier>>;

export interface IdentifierOptions {
  /** Country calling code for phone numbers written without one (e.g. "86"). */
  readonly defaultCountryCode: string;
}

/** Why a value is absent (not carried at all) or carried but invalid. */
export type IdentifierReason =
  | 'empty'
  | 'placeholder'
  | 'phone-unparseable'
  | 'phone-not-valid'
  | 'email-syntax'
  | 'ip-syntax'
  | 'ip-not-public'
  | 'national-id-check-digit'
  | 'national-id-birth-date'
  | 'national-id-shape'
  | 'bank-account-luhn'
  | 'bank-account-iban-check'
  | 'bank-account-shape'
  | 'device-id-too-short'
  | 'text-too-thin';

/** The verdict on one raw value. */
export interface IdentifierCheck {
  /** The form every spelling of the value shares; '' when the value is absent. */
  readonly canonical: string;
  /** False for an empty value or a placeholder (N/A, none, 0000000, …): such a value is not carried. */
  readonly present: boolean;
  /** A present value that is a well-formed identifier of its type. Always false when absent. */
  readonly valid: boolean;
  /** Why the value is absent or invalid; undefined when it is valid. */
  readonly reason?: IdentifierReason;
}

/** Longest raw value looked at (the request schema allows 256 characters; this only bounds the work). */
const MAX_INPUT = 1024;

// ---------------------------------------------------------------------------------------------
// Character-level clean-up shared by every type
// ---------------------------------------------------------------------------------------------

/** Invisible characters: format (Cf), default-ignorable, surrogates, private use, unassigned. */
const INVISIBLE = /[\p{Default_Ignorable_Code_Point}\p{Cf}\p{Cs}\p{Co}\p{Cn}]/gu;
const CONTROL = /\p{Cc}/gu;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const ASCII = /^[\x00-\x7f]*$/;

const ND = /^\p{Nd}$/u;
const digitCache = new Map<string, string>();

/** The value 0-9 of a Unicode decimal digit: Nd characters come in contiguous runs of ten, 0 to 9. */
function asciiDigit(ch: string): string {
  if (ch >= '0' && ch <= '9') return ch;
  let known = digitCache.get(ch);
  if (known === undefined) {
    const cp = ch.codePointAt(0) ?? 0;
    let k = 0;
    while (k < 100 && ND.test(String.fromCodePoint(cp - k - 1))) k++;
    known = String(k % 10);
    if (digitCache.size < 4096) digitCache.set(ch, known);
  }
  return known;
}

/**
 * NFKC (full-width letters and digits, ligatures, ideographic space), invisible and control
 * characters removed, every Unicode decimal digit as its ASCII digit, whitespace collapsed.
 */
function clean(raw: string): string {
  let s = raw.length > MAX_INPUT ? raw.slice(0, MAX_INPUT) : raw;
  if (PRINTABLE_ASCII.test(s)) return s.replace(/\s+/g, ' ').trim();
  s = s.replace(INVISIBLE, '').normalize('NFKC').replace(INVISIBLE, '');
  s = s.replace(/\p{Nd}/gu, asciiDigit);
  return s.replace(/\s+/gu, ' ').replace(CONTROL, '').trim();
}

/**
 * Look-alikes of ASCII letters and digits from other scripts (Cyrillic, Greek, Armenian, Latin
 * extensions), after the compatibility decomposition has removed accents. A deliberately small
 * table of the characters that pass for ASCII in common fonts; see docs/identifiers.md.
 */
const CONFUSABLE_PAIRS: readonly (readonly [string, string])[] = [
  // Cyrillic
  ['а', 'a'], ['в', 'b'], ['е', 'e'], ['з', '3'], ['і', 'i'], ['ј', 'j'], ['к', 'k'], ['о', 'o'], ['р', 'p'], ['с', 'c'],
  ['у', 'y'], ['х', 'x'], ['ѕ', 's'], ['ԁ', 'd'], ['ԛ', 'q'], ['ԝ', 'w'], ['һ', 'h'], ['ӏ', 'l'], ['ү', 'y'], ['ь', 'b'],
  ['А', 'A'], ['В', 'B'], ['Е', 'E'], ['З', '3'], ['І', 'I'], ['Ј', 'J'], ['К', 'K'], ['М', 'M'], ['Н', 'H'], ['О', 'O'],
  ['Р', 'P'], ['С', 'C'], ['Т', 'T'], ['У', 'Y'], ['Х', 'X'], ['Ѕ', 'S'], ['Ԛ', 'Q'], ['Ԝ', 'W'], ['Ү', 'Y'], ['Ӏ', 'I'],
  ['Ь', 'b'],
  // Greek
  ['α', 'a'], ['ο', 'o'], ['ν', 'v'], ['ρ', 'p'], ['υ', 'u'], ['ι', 'i'], ['κ', 'k'], ['χ', 'x'], ['γ', 'y'], ['ϲ', 'c'],
  ['ϳ', 'j'], ['Α', 'A'], ['Β', 'B'], ['Ε', 'E'], ['Ζ', 'Z'], ['Η', 'H'], ['Ι', 'I'], ['Κ', 'K'], ['Μ', 'M'], ['Ν', 'N'],
  ['Ο', 'O'], ['Ρ', 'P'], ['Τ', 'T'], ['Υ', 'Y'], ['Χ', 'X'], ['Ϲ', 'C'], ['Ϳ', 'J'],
  // Armenian
  ['օ', 'o'], ['ս', 'u'], ['հ', 'h'], ['ո', 'n'], ['ց', 'g'], ['Օ', 'O'], ['Տ', 'S'],
  // Latin look-alikes NFKC keeps
  ['ı', 'i'], ['ȷ', 'j'], ['ɡ', 'g'], ['ɑ', 'a'], ['ɩ', 'i'], ['ʟ', 'l'], ['ꞵ', 'b'],
  // Punctuation in addresses: ideographic full stop, dashes
  ['×', 'x'], ['。', '.'], ['‐', '-'], ['‑', '-'], ['‒', '-'], ['–', '-'], ['—', '-'], ['―', '-'], ['−', '-'], ['﹣', '-'],
];
const CONFUSABLES: ReadonlyMap<string, string> = new Map(CONFUSABLE_PAIRS);
const CONFUSABLE_CLASS = `[${CONFUSABLE_PAIRS.map(([c]) => c).join('')}]`;
const CONFUSABLE_RE = new RegExp(CONFUSABLE_CLASS, 'gu');
const HAS_CONFUSABLE = new RegExp(CONFUSABLE_CLASS, 'u');
const mapConfusables = (s: string) => s.replace(CONFUSABLE_RE, (c) => CONFUSABLES.get(c) ?? c);

/** For types whose values are ASCII: accents removed, look-alikes mapped to their ASCII letter. */
function asciiFold(s: string): string {
  if (ASCII.test(s)) return s;
  return mapConfusables(s.normalize('NFKD').replace(/\p{M}/gu, '')).normalize('NFC');
}

// ---------------------------------------------------------------------------------------------
// Placeholders: values that say "I have none". They are absent: no hash, no graph link.
// ---------------------------------------------------------------------------------------------

const NO_WHAT = ['phone', 'phones', 'mobile', 'cell', 'tel', 'telephone', 'number', 'email', 'mail', 'address', 'addr', 'employer', 'job', 'work', 'id', 'device', 'ip', 'account', 'bankaccount', 'bank', 'card'];

/** Placeholder words, as keys (lower-case letters and digits only: "N/A" → "na", "no phone" → "nophone"). */
export const PLACEHOLDER_WORDS: ReadonlySet<string> = new Set([
  'na', 'nan', 'none', 'nil', 'null', 'nul', 'undefined', 'undef', 'unknown', 'unk', 'unkn', 'notknown', 'dontknow',
  'notapplicable', 'notavailable', 'notprovided', 'notgiven', 'notset', 'notspecified', 'unspecified', 'nothing',
  'no', 'nope', 'empty', 'blank', 'missing', 'void', 'tbd', 'tba', 'tbc', 'pending', 'dummy', 'test', 'testing',
  'sample', 'example', 'placeholder', 'default', 'invalid', 'declined', 'refused', 'withheld', 'private', 'anonymous',
  'nofixedabode', 'nfa', 'notemployed',
  ...NO_WHAT.map((w) => `no${w}`),
  ...NO_WHAT.map((w) => `without${w}`),
  // Chinese: none, have none, none for now, unclear, unknown, empty, not applicable, so-and-so
  '无', '無', '没有', '沒有', '暂无', '暫無', '不详', '不詳', '未知', '空', '不适用', '不適用', '某某', '某某公司', '无电话', '没有电话',
]);

/** Employment statuses given as an employer: they describe the applicant, not an employer, and would tie strangers together. */
export const EMPLOYER_STATUS_WORDS: ReadonlySet<string> = new Set([
  'self', 'selfemployed', 'selfemploy', 'ownbusiness', 'ownaccount', 'freelance', 'freelancer', 'unemployed', 'jobless',
  'retired', 'pensioner', 'student', 'housewife', 'househusband', 'homemaker', 'individual',
  '个体', '个体户', '個體戶', '自由职业', '自由職業', '无业', '無業', '待业', '退休', '学生', '學生', '家庭主妇',
]);

/** Local parts that stand for "no e-mail" (none@none.com, noemail@…, test@…). */
const EMAIL_LOCAL_PLACEHOLDERS: ReadonlySet<string> = new Set([
  'na', 'nan', 'none', 'nil', 'null', 'undefined', 'unknown', 'noemail', 'nomail', 'noreply', 'donotreply', 'test',
  'example', 'dummy', 'placeholder', 'invalid', 'nobody', 'noone',
]);

/** Lower-case letters and digits of a cleaned value, look-alikes mapped: the form placeholders are recognised in. */
function placeholderKey(cleaned: string): string {
  if (ASCII.test(cleaned)) return cleaned.toLowerCase().replace(/[^a-z0-9]/g, '');
  return mapConfusables(cleaned.normalize('NFKD').replace(/\p{M}/gu, '')).toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
}

const oneCharacter = (s: string) => s.length > 0 && /^(.)\1*$/su.test(s);

/** 12345, 0123456789, 98765: a digit run typed to fill a field. */
function isDigitRun(s: string): boolean {
  if (s.length < 5 || !/^\d+$/.test(s)) return false;
  const step = (s.charCodeAt(1) - s.charCodeAt(0) + 10) % 10;
  if (step !== 1 && step !== 9) return false;
  for (let i = 1; i < s.length; i++) if ((s.charCodeAt(i) - s.charCodeAt(i - 1) + 10) % 10 !== step) return false;
  return true;
}

function isPlaceholder(type: IdentifierType, key: string, cleaned: string): boolean {
  if (key === '' || PLACEHOLDER_WORDS.has(key)) return true;
  if (type === 'employer' && EMPLOYER_STATUS_WORDS.has(key)) return true;
  // An IP address's digits may repeat (8.8.8.8): written as an address, its placeholders are
  // recognised by range (0.0.0.0, 127.0.0.1) instead.
  if (type === 'ip' && /[.:]/.test(cleaned)) return false;
  return oneCharacter(key) || isDigitRun(key);
}

// ---------------------------------------------------------------------------------------------
// Per type
// ---------------------------------------------------------------------------------------------

const ABSENT_EMPTY: IdentifierCheck = { canonical: '', present: false, valid: false, reason: 'empty' };
const ABSENT_PLACEHOLDER: IdentifierCheck = { canonical: '', present: false, valid: false, reason: 'placeholder' };
const verdict = (canonical: string, reason?: IdentifierReason): IdentifierCheck =>
  reason ? { canonical, present: true, valid: false, reason } : { canonical, present: true, valid: true };

const countDigits = (s: string) => s.replace(/\D/g, '').length;

/** A trailing extension: "ext 12", "x123", "#123", ";ext=5", ",,123" (dial pauses), "转 801". */
const EXTENSION_MARK = String.raw`(?:ext(?:ension)?\.?|x|#|分机号?|分機|转|轉)`;
const PHONE_EXTENSION = new RegExp(String.raw`(?:\s*[,;]+\s*${EXTENSION_MARK}?|\s*${EXTENSION_MARK})\s*[:=.]?\s*\d{1,7}\s*#?$`, 'iu');
/** A leading label: "tel:", "Mobile:", "手机". */
const PHONE_LABEL = /^(?:tel|phone|mobile|mob|cell|ph|手机|手機|电话|電話)\s*[:.]?\s*/iu;

function checkPhone(cleaned: string, options: IdentifierOptions): IdentifierCheck {
  let text = asciiFold(cleaned).replace(PHONE_LABEL, '');
  const ext = PHONE_EXTENSION.exec(text);
  if (ext && countDigits(text.slice(0, ext.index)) >= 6) text = text.slice(0, ext.index);
  if (countDigits(text) === 0) return ABSENT_PLACEHOLDER;
  // O for 0 and I / l for 1, when those are the only letters (letters are otherwise ignored).
  const letters = text.match(/\p{L}/gu) ?? [];
  if (letters.length > 0 && letters.every((l) => 'oOiIlL'.includes(l))) text = text.replace(/[oO]/g, '0').replace(/[iIlL]/g, '1');
  // +086, +0086 and 0086 all mean +86.
  const firstDigit = text.search(/\d/);
  let digits = text.replace(/\D/g, '');
  let international = text.slice(0, firstDigit).includes('+');
  if (international) digits = digits.replace(/^0+/, '');
  else if (digits.startsWith('00')) {
    international = true;
    digits = digits.replace(/^0+/, '');
  }
  const parse = (asInternational: boolean) =>
    digits.length > 0 ? parsePhoneNumberFromString(asInternational ? `+${digits}` : digits, { defaultCallingCode: options.defaultCountryCode }) : undefined;
  let parsed = parse(international);
  // A stray "+" on a national number, or a foreign number written without its "+": when only the
  // other reading is a real number, it is the number meant.
  if (digits.length > 0 && !parsed?.isValid()) {
    const other = parse(!international);
    if (other?.isValid()) parsed = other;
  }
  if (!parsed) {
    const national = international ? digits : digits.replace(/^0+/, '');
    // "+86" alone: a form's pre-filled country code with no number after it.
    if (national === '' || (international && digits.length <= 3) || oneCharacter(national) || isDigitRun(national)) return ABSENT_PLACEHOLDER;
    return verdict(international ? digits : `${options.defaultCountryCode}${national}`, 'phone-unparseable');
  }
  const national = parsed.nationalNumber as string;
  if (oneCharacter(national) || isDigitRun(national)) return ABSENT_PLACEHOLDER;
  return verdict(`${parsed.countryCallingCode}${national}`, parsed.isValid() ? undefined : 'phone-not-valid');
}

/** Domains whose provider documents that dots and a +tag in the local part reach the same mailbox. */
const GMAIL_DOMAINS: ReadonlySet<string> = new Set(['gmail.com', 'googlemail.com']);
const EMAIL_LOCAL = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const TOP_LEVEL = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

function checkEmail(cleaned: string): IdentifierCheck {
  let e = asciiFold(cleaned).toLowerCase().replace(/\s+/g, '');
  if (e.startsWith('mailto:')) e = e.slice('mailto:'.length);
  const angled = /<([^<>]*)>$/.exec(e); // "Li Wei <li.wei@example.com>"
  if (angled) e = angled[1] ?? '';
  const at = e.lastIndexOf('@');
  if (at < 0) return verdict(e, 'email-syntax');
  let local = e.slice(0, at);
  let domain = e.slice(at + 1).replace(/\.+$/, '');
  if (domain.includes('xn--')) {
    // A punycode label is the same domain as its Unicode form, look-alikes and all.
    const unicode = domainToUnicode(domain);
    if (unicode) domain = asciiFold(unicode).toLowerCase();
  }
  if (EMAIL_LOCAL_PLACEHOLDERS.has(placeholderKey(local))) return ABSENT_PLACEHOLDER;
  if (GMAIL_DOMAINS.has(domain)) {
    domain = 'gmail.com';
    local = local.replace(/\+.*$/s, '').replace(/\./g, '');
  }
  const canonical = `${local}@${domain}`;
  const labels = domain.split('.');
  const valid =
    canonical.length <= 254 &&
    local.length >= 1 &&
    local.length <= 64 &&
    EMAIL_LOCAL.test(local) &&
    labels.length >= 2 &&
    labels.every((l) => DOMAIN_LABEL.test(l)) &&
    TOP_LEVEL.test(labels[labels.length - 1] ?? '');
  return verdict(canonical, valid ? undefined : 'email-syntax');
}

/** IPv4 ranges that do not identify anyone: placeholders (this network, loopback, broadcast). */
function ipv4Class(octets: readonly number[]): 'placeholder' | 'non-public' | 'public' {
  const [a = 0, b = 0, c = 0] = octets;
  if (a === 0 || a === 127 || octets.every((o) => o === 255)) return 'placeholder';
  if (
    a === 10 ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 100 && b >= 64 && b <= 127) || // carrier-grade NAT
    (a === 169 && b === 254) || // link-local
    (a === 192 && b === 0 && (c === 0 || c === 2)) ||
    (a === 198 && (b === 18 || b === 19)) ||
    (a === 198 && b === 51 && c === 100) ||
    (a === 203 && b === 0 && c === 113) ||
    a >= 224 // multicast and reserved
  )
    return 'non-public';
  return 'public';
}

function checkIpv4(octets: readonly number[]): IdentifierCheck {
  const kind = ipv4Class(octets);
  if (kind === 'placeholder') return ABSENT_PLACEHOLDER;
  return verdict(octets.join('.'), kind === 'public' ? undefined : 'ip-not-public');
}

function checkIp(cleaned: string): IdentifierCheck {
  let ip = asciiFold(cleaned).toLowerCase().replace(/\s+/g, '');
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(ip);
  if (bracketed?.[1]) ip = bracketed[1];
  const withPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(ip);
  if (withPort?.[1]) ip = withPort[1];
  // Dotted quads with leading zeros ("010.001.002.003") are read as decimal: the same host as 10.1.2.3.
  if (/^\d{1,3}(?:\.\d{1,3}){3}$/.test(ip)) {
    const octets = ip.split('.').map(Number);
    if (octets.every((o) => o <= 255)) return checkIpv4(octets);
    return verdict(ip, 'ip-syntax');
  }
  const zoneless = ip.replace(/%.*$/s, '');
  if (!zoneless.includes(':') || !isIPv6(zoneless)) return verdict(ip, 'ip-syntax');
  let canonical: string;
  try {
    canonical = new URL(`http://[${zoneless}]`).hostname.slice(1, -1);
  } catch {
    return verdict(ip, 'ip-syntax');
  }
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (mapped?.[1] && mapped[2]) {
    const hi = parseInt(mapped[1], 16);
    const lo = parseInt(mapped[2], 16);
    return checkIpv4([hi >> 8, hi & 255, lo >> 8, lo & 255]);
  }
  if (canonical === '::' || canonical === '::1') return ABSENT_PLACEHOLDER;
  const first = parseInt(canonical.split(':')[0] || '0', 16);
  const nonPublic =
    (first & 0xfe00) === 0xfc00 || // unique local
    (first & 0xffc0) === 0xfe80 || // link-local
    (first & 0xff00) === 0xff00 || // multicast
    canonical.startsWith('2001:db8:') ||
    canonical.startsWith('::'); // other IPv4-compatible / reserved forms
  return verdict(canonical, nonPublic ? 'ip-not-public' : undefined);
}

const RESIDENT_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const RESIDENT_ID_CHECK = '10X98765432';

/** ISO 7064 MOD 11-2 check character of a Chinese resident identity number's first 17 digits. */
export function residentIdCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * (RESIDENT_ID_WEIGHTS[i] ?? 0);
  return RESIDENT_ID_CHECK[sum % 11] ?? '';
}

function residentIdProblem(id: string): 'national-id-check-digit' | 'national-id-birth-date' | undefined {
  if (residentIdCheckCharacter(id) !== id[17]) return 'national-id-check-digit';
  const year = Number(id.slice(6, 10));
  const month = Number(id.slice(10, 12));
  const day = Number(id.slice(12, 14));
  const date = new Date(Date.UTC(year, month - 1, day));
  const real = year >= 1900 && year <= 2099 && date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  return real ? undefined : 'national-id-birth-date';
}

const RESIDENT_ID_SHAPE = /^\d{17}[\dX]$/;
const isResidentId = (s: string) => RESIDENT_ID_SHAPE.test(s) && residentIdProblem(s) === undefined;

/** Luhn (mod 10) check of a digit string. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

const IBAN_SHAPE = /^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/;

/** ISO 13616 IBAN check: country and check digits moved to the end, letters as 10-35, mod 97 = 1. */
export function ibanValid(iban: string): boolean {
  if (!IBAN_SHAPE.test(iban)) return false;
  const moved = iban.slice(4) + iban.slice(0, 4);
  let rest = 0;
  for (const ch of moved) {
    const v = ch >= 'A' ? String(ch.charCodeAt(0) - 55) : ch;
    for (const d of v) rest = (rest * 10 + (d.charCodeAt(0) - 48)) % 97;
  }
  return rest === 1;
}

const mapDigitLookalikes = (s: string) => s.replace(/O/g, '0').replace(/[IL]/g, '1');

/**
 * O for 0 and I / l for 1 in a national id or account number. Mapped when a check digit
 * confirms the mapped value (resident id, card number, IBAN), or when, after any leading letter
 * code (an IBAN's country, a passport's series letter), the rest is digits but for the look-alikes
 * and digits are the majority. Letter codes such as GB29 NWBK … are left as they are.
 */
function foldDigitLookalikes(type: 'nationalId' | 'bankAccount', v: string): string {
  if (!/[OIL]/.test(v)) return v;
  const all = mapDigitLookalikes(v);
  if (type === 'nationalId' && isResidentId(all)) return all;
  if (type === 'bankAccount') {
    if (/^\d{12,19}$/.test(all) && luhnValid(all)) return all;
    const iban = v.slice(0, 2) + mapDigitLookalikes(v.slice(2));
    if (/^[A-Z]{2}/.test(v) && ibanValid(iban)) return iban;
  }
  const [, prefix = '', rest = ''] = /^([A-Z]*)(.*)$/s.exec(v) ?? [];
  const tail = type === 'nationalId' && rest.length > 1 && rest.endsWith('X') ? 'X' : '';
  const body = tail ? rest.slice(0, -1) : rest;
  if (!/^[0-9OIL]+$/.test(body)) return v;
  const digits = countDigits(body);
  return digits > body.length - digits ? prefix + mapDigitLookalikes(body) + tail : v;
}

/** Upper-case letters and digits only: spaces, dashes, dots, slashes and brackets are separators. */
const idForm = (cleaned: string) => asciiFold(cleaned).toUpperCase().replace(/[^\p{L}\p{N}]/gu, '');

function checkNationalId(cleaned: string): IdentifierCheck {
  const id = foldDigitLookalikes('nationalId', idForm(cleaned));
  if (isPlaceholder('nationalId', id.toLowerCase(), id)) return ABSENT_PLACEHOLDER;
  if (RESIDENT_ID_SHAPE.test(id)) return verdict(id, residentIdProblem(id));
  return verdict(id, /^[A-Z0-9]{6,20}$/.test(id) ? undefined : 'national-id-shape');
}

function checkBankAccount(cleaned: string): IdentifierCheck {
  const account = foldDigitLookalikes('bankAccount', idForm(cleaned));
  if (isPlaceholder('bankAccount', account.toLowerCase(), account)) return ABSENT_PLACEHOLDER;
  if (/^\d{12,19}$/.test(account)) return verdict(account, luhnValid(account) ? undefined : 'bank-account-luhn');
  if (IBAN_SHAPE.test(account)) return verdict(account, ibanValid(account) ? undefined : 'bank-account-iban-check');
  return verdict(account, /^[A-Z0-9]{8,34}$/.test(account) ? undefined : 'bank-account-shape');
}

function checkDeviceId(cleaned: string): IdentifierCheck {
  let id = asciiFold(cleaned).toLowerCase().replace(/\s+/g, '');
  if (id.startsWith('{') && id.endsWith('}')) id = id.slice(1, -1);
  // A hex id (UUID, fingerprint) with o for 0 or i / l for 1: hex has no o, i or l.
  const compact = id.replace(/[-:]/g, '');
  if (/[oil]/.test(compact) && /^[0-9a-foil]{16,}$/.test(compact)) id = id.replace(/o/g, '0').replace(/[il]/g, '1');
  return verdict(id, [...id].length >= 8 ? undefined : 'device-id-too-short');
}

const LATIN_LETTER = /[a-z]/i;
const LETTERS = /\p{L}/gu;
const HAN = /\p{Script=Han}/gu;

/** Free text (address, employer): lower case, look-alikes mapped inside words mixing them with Latin letters, punctuation as spaces. */
function checkText(cleaned: string): IdentifierCheck {
  const latinText = LATIN_LETTER.test(cleaned);
  // A word mixing Latin letters with look-alikes, or made only of look-alikes in a Latin text
  // ("АСМЕ Co Ltd"), is Latin in disguise. Text in another script is left as it is.
  const disguised = (w: string) => HAS_CONFUSABLE.test(w) && (LATIN_LETTER.test(w) || (latinText && (w.match(LETTERS) ?? []).every((c) => CONFUSABLES.has(c))));
  const words = cleaned.split(' ').map((w) => (disguised(w) ? mapConfusables(w) : w));
  const text = words.join(' ').toLowerCase().replace(/[\p{P}\p{S}]+/gu, ' ').replace(/\s+/g, ' ').trim();
  const letters = text.match(LETTERS) ?? [];
  const han = text.match(HAN)?.length ?? 0;
  // A Han ideograph counts as three letters: 华为 is a whole employer name.
  const weight = letters.length + 2 * han;
  const letterWords = text.split(' ').filter((w) => (w.match(LETTERS)?.length ?? 0) >= 2).length;
  const valid = (weight >= 6 || letterWords >= 2) && new Set(letters).size >= (han > 0 ? 2 : 3);
  return verdict(text, valid ? undefined : 'text-too-thin');
}

/**
 * The canonical form, presence and validity of one raw identifier. Pure: the same input and
 * options always give the same answer. docs/identifiers.md lists the rules.
 */
export function checkIdentifier(type: IdentifierType, raw: string, options: IdentifierOptions): IdentifierCheck {
  const cleaned = clean(raw);
  if (cleaned === '') return ABSENT_EMPTY;
  if (isPlaceholder(type, placeholderKey(cleaned), cleaned)) return ABSENT_PLACEHOLDER;
  let check: IdentifierCheck;
  switch (type) {
    case 'phone':
      check = checkPhone(cleaned, options);
      break;
    case 'email':
      check = checkEmail(cleaned);
      break;
    case 'ip':
      check = checkIp(cleaned);
      break;
    case 'nationalId':
      check = checkNationalId(cleaned);
      break;
    case 'bankAccount':
      check = checkBankAccount(cleaned);
      break;
    case 'deviceId':
      check = checkDeviceId(cleaned);
      break;
    case 'address':
    case 'employer':
      check = checkText(cleaned);
      break;
  }
  return check.present && check.canonical === '' ? ABSENT_PLACEHOLDER : check;
}

/** The form two spellings of the same identifier share ('' for an empty value or a placeholder). Pure. */
export function normaliseIdentifier(type: IdentifierType, raw: string, options: IdentifierOptions): string {
  return checkIdentifier(type, raw, options).canonical;
}

// ---------------------------------------------------------------------------------------------
// Masks
// ---------------------------------------------------------------------------------------------

/** How many characters of a canonical value a mask may show: none under 6, at most a third. */
export function maskBudget(canonical: string): number {
  const n = [...canonical].length;
  return n < 6 ? 0 : Math.floor(n / 3);
}

const HIDDEN = '***';

/** The first `head` and last `tail` characters with the rest (whatever its length) as ***. */
function ends(chars: readonly string[], head: number, tail: number): string {
  return `${chars.slice(0, head).join('').trimEnd()}${HIDDEN}${tail > 0 ? chars.slice(-tail).join('') : ''}`;
}

function maskEmail(canonical: string, budget: number): string {
  const at = canonical.lastIndexOf('@');
  if (at < 1 || budget < 2) return HIDDEN;
  const local = [...canonical.slice(0, at)];
  const domain = canonical.slice(at + 1);
  const dot = domain.lastIndexOf('.');
  const tld = dot >= 0 ? domain.slice(dot) : '';
  const shown = tld && [...tld].length <= budget - 2 ? `${HIDDEN}${tld}` : HIDDEN;
  return `${local[0]}${HIDDEN}@${shown}`;
}

/** The longest prefix ending in `separator` that fits in the budget. */
function maskPrefixTo(chars: readonly string[], separator: string, budget: number): string {
  let cut = 0;
  for (let i = 0; i < Math.min(budget, chars.length); i++) if (chars[i] === separator) cut = i + 1;
  return cut > 0 ? `${chars.slice(0, cut).join('')}${HIDDEN}` : HIDDEN;
}

/**
 * A display form investigators can read without seeing the personal data: never more than a
 * third of the canonical value's characters, and none of a value under 6 characters.
 */
export function maskIdentifier(type: IdentifierType, canonical: string, _options?: IdentifierOptions): string {
  const budget = maskBudget(canonical);
  if (budget === 0) return HIDDEN;
  const chars = [...canonical];
  switch (type) {
    case 'phone':
      return ends(chars, 0, Math.min(budget, 4));
    case 'email':
      return maskEmail(canonical, budget);
    case 'ip':
      return maskPrefixTo(chars, canonical.includes(':') ? ':' : '.', budget);
    case 'nationalId': {
      const head = Math.min(Math.floor(budget / 2), 4);
      return ends(chars, head, Math.min(budget - head, 4));
    }
    case 'bankAccount': {
      const tail = Math.min(budget, 4);
      return ends(chars, Math.min(budget - tail, 2), tail);
    }
    case 'deviceId': {
      const head = Math.min(Math.ceil(budget / 2), 4);
      return ends(chars, head, Math.min(budget - head, 4));
    }
    case 'address':
    case 'employer':
      return ends(chars, Math.min(budget, 12), 0);
  }
}

// ---------------------------------------------------------------------------------------------

/**
 * One step of a key change: a stored hash carried over to the next key, HMAC-SHA256(key, hash hex).
 * npm run rekey rewrites every stored hash with it; IdentifierProtector applies the same steps to
 * new values, so both meet (docs/security.md, "Key changes").
 */
export function rekeyedHash(key: Buffer, hash: string): string {
  return createHmac('sha256', key).update(hash).digest('hex');
}

/**
 * Hashes and masks identifiers under one secret key. The hash is of the type and the
 * canonical value, so the same string as a phone and as an account never collide.
 *
 * After a key change (npm run rekey) the key is a chain, oldest first: the value is hashed under
 * the first key, and each later key hashes the previous hash (rekeyedHash), so values hashed now
 * match the hashes the rekey carried over. One key is a chain of one.
 */
export class IdentifierProtector {
  private readonly keys: readonly Buffer[];

  constructor(
    key: Buffer | readonly Buffer[],
    private readonly options: IdentifierOptions,
  ) {
    this.keys = Buffer.isBuffer(key) ? [key] : [...key];
    if (this.keys.length === 0) throw new Error('IdentifierProtector needs a key');
  }

  /** The verdict on one raw value under this protector's options. */
  check(type: IdentifierType, raw: string): IdentifierCheck {
    return checkIdentifier(type, raw, this.options);
  }

  /**
   * Keyed hash of the canonical value (list entries, test histories). A placeholder hashes to the
   * empty canonical value, which no carried identifier has, so it matches nothing.
   */
  hash(type: IdentifierType, raw: string): string {
    return this.digest(type, this.check(type, raw).canonical);
  }

  /** Keyed hash of a text that may hold personal data (e.g. a request body), for equality checks only. */
  fingerprint(text: string): string {
    return this.mac(`request\u0000${text}`);
  }

  private digest(type: IdentifierType, canonical: string): string {
    return this.mac(`${type}\u0000${canonical}`);
  }

  /** HMAC-SHA256 under the first key, then each later key of the chain over the previous hash. */
  private mac(message: string): string {
    const [first, ...later] = this.keys as [Buffer, ...Buffer[]];
    let hash = createHmac('sha256', first).update(message).digest('hex');
    for (const key of later) hash = rekeyedHash(key, hash);
    return hash;
  }

  /** Hash, mask and validity of each identifier carried; empty values and placeholders are left out. */
  protect(raw: RawIdentifiers): ProtectedIdentifiers {
    const out: ProtectedIdentifiers = {};
    for (const type of IDENTIFIER_TYPES) {
      const value = raw[type];
      if (typeof value !== 'string') continue;
      const check = this.check(type, value);
      if (!check.present) continue;
      out[type] = {
        hash: this.digest(type, check.canonical),
        masked: maskIdentifier(type, check.canonical, this.options),
        valid: check.valid,
      };
    }
    return out;
  }
}
