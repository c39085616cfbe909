// A compact map from (identifier type, keyed hash) to an integer, in typed arrays: the graph
// remembers every identifier it has seen (millions at scale) so a later application carrying
// it links in O(1), without a JavaScript string key per identifier.
//
// NOTE: the key is 84 bits of the hash (the first 21 hex digits) plus the type, not the whole
// string. The hashes are HMAC-SHA256 outputs, so two different identifiers agree on 84 bits with
// probability about n²/2^85 (≈ 3e-13 at ten million identifiers). Non-hex keys (tests) are
// folded to 84 bits with FNV-1a.

const EMPTY = -1;

function fnv(text: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function hexDigit(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  if (code >= 65 && code <= 70) return code - 55;
  return -1;
}

/** Splits a hash into a 52-bit and a 32-bit part. */
function split(hash: string, out: Float64Array): void {
  let hi = 0;
  let lo = 0;
  let ok = hash.length >= 21;
  for (let i = 0; ok && i < 21; i++) {
    const d = hexDigit(hash.charCodeAt(i));
    if (d < 0) ok = false;
    else if (i < 13) hi = hi * 16 + d;
    else lo = ((lo << 4) | d) >>> 0;
  }
  if (!ok) {
    hi = fnv(hash, 0x811c9dc5) * 1048576 + (fnv(hash, 0x050c5d1f) >>> 12);
    lo = fnv(hash, 0x2f6b1b3d);
  }
  out[0] = hi;
  out[1] = lo;
}

export class IdentifierTable {
  private hi: Float64Array;
  private lo: Uint32Array;
  private tag: Int8Array;
  private values: Int32Array;
  private mask: number;
  private used = 0;
  private readonly scratch = new Float64Array(2);

  constructor(capacity = 1024) {
    let size = 16;
    while (size < capacity * 2) size *= 2;
    this.hi = new Float64Array(size);
    this.lo = new Uint32Array(size);
    this.tag = new Int8Array(size).fill(EMPTY);
    this.values = new Int32Array(size);
    this.mask = size - 1;
  }

  get size(): number {
    return this.used;
  }

  /** Bytes held by the table's arrays. */
  get bytes(): number {
    return this.tag.length * (8 + 4 + 1 + 4);
  }

  private slot(type: number, hi: number, lo: number): number {
    let i = (lo ^ Math.imul(type + 1, 0x9e3779b1)) & this.mask;
    while (this.tag[i] !== EMPTY && !(this.tag[i] === type && this.lo[i] === lo && this.hi[i] === hi)) i = (i + 1) & this.mask;
    return i;
  }

  /** The value stored for this identifier, or -1. */
  get(type: number, hash: string): number {
    split(hash, this.scratch);
    const i = this.slot(type, this.scratch[0] as number, this.scratch[1] as number);
    return this.tag[i] === EMPTY ? -1 : (this.values[i] as number);
  }

  set(type: number, hash: string, value: number): void {
    if ((this.used + 1) * 2 > this.tag.length) this.grow();
    split(hash, this.scratch);
    const hi = this.scratch[0] as number;
    const lo = this.scratch[1] as number;
    const i = this.slot(type, hi, lo);
    if (this.tag[i] === EMPTY) this.used++;
    this.tag[i] = type;
    this.hi[i] = hi;
    this.lo[i] = lo;
    this.values[i] = value;
  }

  private grow(): void {
    const { hi, lo, tag, values } = this;
    const size = tag.length * 2;
    this.hi = new Float64Array(size);
    this.lo = new Uint32Array(size);
    this.tag = new Int8Array(size).fill(EMPTY);
    this.values = new Int32Array(size);
    this.mask = size - 1;
    for (let j = 0; j < tag.length; j++) {
      const type = tag[j] as number;
      if (type === EMPTY) continue;
      const i = this.slot(type, hi[j] as number, lo[j] as number);
      this.tag[i] = type;
      this.hi[i] = hi[j] as number;
      this.lo[i] = lo[j] as number;
      this.values[i] = values[j] as number;
    }
  }
}
