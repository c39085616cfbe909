// Append-only numeric columns over SharedArrayBuffers. The identity graph keeps its snapshot
// data here: a prefix, once written, never changes, so a worker can read the first n entries
// of a column while the main thread keeps appending (a consistent snapshot without a copy).
// Growing allocates a new buffer; a worker holding the old one keeps a valid prefix.

type Kind = 'int32' | 'float64' | 'uint8' | 'int8';
type ArrayOf<K extends Kind> = K extends 'int32' ? Int32Array : K extends 'float64' ? Float64Array : K extends 'uint8' ? Uint8Array : Int8Array;

function allocate<K extends Kind>(kind: K, capacity: number): ArrayOf<K> {
  const bytes = kind === 'float64' ? 8 : kind === 'int32' ? 4 : 1;
  const buffer = new SharedArrayBuffer(capacity * bytes);
  switch (kind) {
    case 'int32':
      return new Int32Array(buffer) as ArrayOf<K>;
    case 'float64':
      return new Float64Array(buffer) as ArrayOf<K>;
    case 'uint8':
      return new Uint8Array(buffer) as ArrayOf<K>;
    default:
      return new Int8Array(buffer) as ArrayOf<K>;
  }
}

export class Column<K extends Kind> {
  private data: ArrayOf<K>;
  private size = 0;

  constructor(
    private readonly kind: K,
    capacity = 1024,
  ) {
    this.data = allocate(kind, Math.max(16, capacity));
  }

  get length(): number {
    return this.size;
  }

  /** The backing array (its capacity may exceed `length`; entries past it are unset). */
  get array(): ArrayOf<K> {
    return this.data;
  }

  push(value: number): number {
    if (this.size === this.data.length) {
      const next = allocate(this.kind, this.data.length * 2);
      next.set(this.data as never);
      this.data = next;
    }
    this.data[this.size] = value;
    return this.size++;
  }

  get(i: number): number {
    return this.data[i] as number;
  }

  /** Only for columns documented as mutable (counters, labels); never for snapshot prefixes. */
  set(i: number, value: number): void {
    this.data[i] = value;
  }
}
