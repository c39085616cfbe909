// Decision ids: UUIDv7 (RFC 9562), time-ordered so the audit table and logs sort by decision time.
import { randomBytes } from 'node:crypto';

// NOTE: random bytes come from a pool refilled 4 KB at a time: one randomBytes call per id cost
// ~4 % of a history import's time.
const POOL_IDS = 256;
let pool = randomBytes(16 * POOL_IDS);
let next = 0;

export function newDecisionId(now = Date.now()): string {
  if (next === POOL_IDS) {
    pool = randomBytes(16 * POOL_IDS);
    next = 0;
  }
  const bytes = Buffer.from(pool.subarray(16 * next, 16 * ++next));
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x70;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
