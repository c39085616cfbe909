// Personal identifiers: normalised so trivial variants link, then kept only as keyed hashes
// (HMAC-SHA256) plus a masked display form. Raw values never leave this module's callers' stack.
import { createHmac } from 'node:crypto';

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
}
export type ProtectedIdentifiers = Partial<Record<IdentifierType, ProtectedIdentifier>>;

export interface IdentifierOptions {
  /** Country calling code for phone numbers written without one (e.g. "86"). */
  readonly defaultCountryCode: string;
}

const collapse = (s: string) => s.trim().replace(/\s+/g, ' ');

function normalisePhone(raw: string, { defaultCountryCode }: IdentifierOptions): string {
  const trimmed = raw.trim();
  let digits = trimmed.replace(/\D/g, '');
  if (trimmed.startsWith('+')) return digits;
  if (digits.startsWith('00')) return digits.slice(2);
  // NOTE: a national number written with a trunk prefix "0" drops it before the country code is added.
  if (digits.startsWith('0')) digits = digits.slice(1);
  if (digits.startsWith(defaultCountryCode) && digits.length > 11) return digits;
  return defaultCountryCode + digits;
}

function normaliseIp(raw: string): string {
  const ip = raw.trim().toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(ip);
  if (mapped?.[1]) return mapped[1];
  // Drop leading zeros in dotted quads ("010.001.002.003" is the same host as "10.1.2.3").
  if (/^\d+\.\d+\.\d+\.\d+$/.test(ip)) return ip.split('.').map((o) => String(Number(o))).join('.');
  return ip;
}

/** The canonical form two spellings of the same identifier share. Pure. */
export function normaliseIdentifier(type: IdentifierType, raw: string, options: IdentifierOptions): string {
  switch (type) {
    case 'phone':
      return normalisePhone(raw, options);
    case 'email':
      return raw.trim().toLowerCase();
    case 'ip':
      return normaliseIp(raw);
    case 'nationalId':
    case 'bankAccount':
      return raw.replace(/[\s\-./]/g, '').toUpperCase();
    case 'deviceId':
      return raw.trim().toLowerCase();
    case 'address':
    case 'employer':
      return collapse(raw.toLowerCase().replace(/[.,;:#'"()]/g, ' '));
  }
}

function maskPhone(n: string, cc: string): string {
  const national = n.startsWith(cc) ? n.slice(cc.length) : n;
  const country = n.startsWith(cc) ? cc : '';
  if (national.length < 7) return `+${country} ****`;
  return `+${country} ${national.slice(0, 3)} **** ${national.slice(-4)}`;
}

/** A display form investigators can read without seeing the personal data. */
export function maskIdentifier(type: IdentifierType, normalised: string, options: IdentifierOptions): string {
  const tail = (k: number) => (normalised.length > k + 2 ? normalised.slice(-k) : '');
  switch (type) {
    case 'phone':
      return maskPhone(normalised, options.defaultCountryCode);
    case 'email': {
      const [local = '', domain = ''] = normalised.split('@');
      return `${local.slice(0, 1)}***@${domain}`;
    }
    case 'ip': {
      const parts = normalised.split('.');
      return parts.length === 4 ? `${parts[0]}.${parts[1]}.*.*` : `${normalised.split(':').slice(0, 2).join(':')}:****`;
    }
    case 'nationalId':
      return `${normalised.slice(0, 3)}************${tail(4)}`.slice(0, Math.max(normalised.length, 8));
    case 'bankAccount':
      return `**** ${tail(4)}`;
    case 'deviceId':
      return `${normalised.slice(0, 4)}…`;
    case 'address':
    case 'employer':
      return `${normalised.split(' ')[0]?.slice(0, 12) ?? ''} ***`;
  }
}

/**
 * Hashes and masks identifiers under one secret key. The hash is of the type and the
 * normalised value, so the same string as a phone and as an account never collide.
 */
export class IdentifierProtector {
  constructor(
    private readonly key: Buffer,
    private readonly options: IdentifierOptions,
  ) {}

  hash(type: IdentifierType, raw: string): string {
    return this.digest(type, normaliseIdentifier(type, raw, this.options));
  }

  /** Keyed hash of a text that may hold personal data (e.g. a request body), for equality checks only. */
  fingerprint(text: string): string {
    return createHmac('sha256', this.key).update(`request\u0000${text}`).digest('hex');
  }

  private digest(type: IdentifierType, normalised: string): string {
    return createHmac('sha256', this.key).update(`${type}\u0000${normalised}`).digest('hex');
  }

  protect(raw: RawIdentifiers): ProtectedIdentifiers {
    const out: ProtectedIdentifiers = {};
    for (const type of IDENTIFIER_TYPES) {
      const value = raw[type];
      if (value === undefined || value.trim() === '') continue;
      const normalised = normaliseIdentifier(type, value, this.options);
      out[type] = {
        hash: this.digest(type, normalised),
        masked: maskIdentifier(type, normalised, this.options),
      };
    }
    return out;
  }
}
