// The identity graph: every decided application is a node, linked to a node per identifier it
// carries (key `${type}:${keyed hash}`; the display form is the masked one, never the raw value).
// Grows by one application in O(its identifiers) and keeps, beside the graphology graph, the
// append-only columns a recluster reads as a consistent snapshot (see columns.ts).
//
// NOTE: an identifier seen on a single application links nothing yet, and at a million
// applications such leaves are most of the graph (measured: ~5 KB per application with every
// leaf a graphology node). They wait in a compact table (identifier-table.ts) and become a node,
// with both edges, when a second application carries them.
import { UndirectedGraph } from 'graphology';
import { IDENTIFIER_TYPES, type IdentifierType } from '../identity/identifiers';
import { Column } from './columns';
import { TYPE_INDEX } from './config';
import { IdentifierTable } from './identifier-table';

export type Label = 'fraud' | 'legit';
export const OUTCOME_CODES = ['approve', 'review', 'decline'] as const;
const LABELS: readonly (Label | undefined)[] = [undefined, 'fraud', 'legit'];
export const FRAUD_LABEL = 1;

export interface GraphIdentifier {
  readonly type: string;
  readonly hash: string;
  readonly masked: string;
}

/** What the graph keeps of a decided application. */
export interface GraphApplication {
  readonly applicationId: string;
  /** Epoch milliseconds. */
  readonly decidedAt: number;
  /** The automatic outcome: approve, review or decline. */
  readonly outcome: string;
  /** Its decision carried independent fraud evidence (src/rules/evidence.ts). */
  readonly fraudEvidence: boolean;
  readonly identifiers: readonly GraphIdentifier[];
  /** Where and for what it applied: investigators filter clusters by them (absent where unknown). */
  readonly region?: string;
  readonly product?: string;
}

/** An application's region and product, as investigators filter clusters by them. */
export interface Segment {
  readonly region: string | undefined;
  readonly product: string | undefined;
}

export type NodeAttributes =
  | { readonly kind: 'application'; readonly index: number }
  | { readonly kind: 'identifier'; readonly type: IdentifierType; readonly masked: string; readonly index: number };

/**
 * The graph's integer form at one moment: application i's identifiers are
 * linkIdentifier[linkStart[i] .. linkStart[i + 1]) (the last one ends at `links`).
 * Arrays may be longer than the counts; only the prefixes are part of the snapshot.
 */
export interface GraphSnapshot {
  readonly applications: number;
  readonly identifiers: number;
  readonly links: number;
  readonly decidedAt: Float64Array;
  /** Index into OUTCOME_CODES (3 = other). */
  readonly outcome: Uint8Array;
  /** 1 where the decision carried independent fraud evidence. */
  readonly evidence: Uint8Array;
  /** 0 none, 1 fraud, 2 legit: a copy, since labels change. */
  readonly label: Int8Array;
  readonly linkStart: Int32Array;
  readonly linkIdentifier: Int32Array;
  /** Index into IDENTIFIER_TYPES. */
  readonly identifierType: Uint8Array;
}

export const applicationKey = (applicationId: string) => `app:${applicationId}`;
export const identifierKey = (type: string, hash: string) => `${type}:${hash}`;

export class IdentityGraph {
  readonly graph = new UndirectedGraph<NodeAttributes>();
  private readonly applicationIds: string[] = [];
  private readonly decidedAt = new Column('float64');
  private readonly outcome = new Column('uint8');
  private readonly evidence = new Column('uint8');
  private readonly label = new Column('int8');
  /**
   * Index into `segments` per application: a few distinct (region, product) pairs serve every
   * application, so each costs 4 bytes, not two strings. Not part of snapshots (no recluster reads it).
   */
  private readonly segment = new Column('int32');
  private readonly segments: Segment[] = [];
  private readonly segmentIndex = new Map<string, number>();
  private readonly linkStart = new Column('int32');
  private readonly linkIdentifier = new Column('int32');
  private readonly identifierType = new Column('uint8');
  /** Applications carrying each identifier (mutable: not part of snapshots). */
  private readonly identifierCount = new Column('int32');
  private readonly identifierFirst = new Column('int32');
  /** Node key of each identifier carried by two or more applications. */
  private readonly sharedKeys = new Map<number, string>();
  private readonly table = new IdentifierTable();
  /** Applications labelled fraud, per identifier index. */
  private readonly fraudOn = new Map<number, number>();

  get applications(): number {
    return this.applicationIds.length;
  }

  get identifiers(): number {
    return this.identifierType.length;
  }

  get sharedIdentifiers(): number {
    return this.sharedKeys.size;
  }

  get links(): number {
    return this.linkIdentifier.length;
  }

  /** Adds one application; false when it is already in the graph (rebuilds and retries). */
  add(application: GraphApplication): boolean {
    const key = applicationKey(application.applicationId);
    if (this.graph.hasNode(key)) return false;
    const index = this.applicationIds.length;
    this.applicationIds.push(application.applicationId);
    this.decidedAt.push(application.decidedAt);
    const outcome = (OUTCOME_CODES as readonly string[]).indexOf(application.outcome);
    this.outcome.push(outcome < 0 ? 3 : outcome);
    this.evidence.push(application.fraudEvidence ? 1 : 0);
    this.label.push(0);
    this.segment.push(this.segmentCode(application.region, application.product));
    this.linkStart.push(this.linkIdentifier.length);
    this.graph.addNode(key, { kind: 'application', index });
    for (const id of application.identifiers) {
      const type = TYPE_INDEX[id.type as IdentifierType];
      if (type === undefined) continue;
      let idx = this.table.get(type, id.hash);
      if (idx < 0) {
        idx = this.identifierType.push(type);
        this.identifierCount.push(1);
        this.identifierFirst.push(index);
        this.table.set(type, id.hash, idx);
      } else {
        const count = this.identifierCount.get(idx);
        let nodeKey = this.sharedKeys.get(idx);
        if (nodeKey === undefined) {
          nodeKey = identifierKey(id.type, id.hash);
          this.sharedKeys.set(idx, nodeKey);
          this.graph.addNode(nodeKey, { kind: 'identifier', type: id.type as IdentifierType, masked: id.masked, index: idx });
          this.graph.addEdge(applicationKey(this.applicationIds[this.identifierFirst.get(idx)] as string), nodeKey);
        }
        this.graph.addEdge(key, nodeKey);
        this.identifierCount.set(idx, count + 1);
      }
      this.linkIdentifier.push(idx);
    }
    return true;
  }

  private segmentCode(region: string | undefined, product: string | undefined): number {
    const key = `${region ?? ''}\u0000${product ?? ''}`;
    let code = this.segmentIndex.get(key);
    if (code === undefined) {
      code = this.segments.push({ region, product }) - 1;
      this.segmentIndex.set(key, code);
    }
    return code;
  }

  /** The application's region and product (undefined where the graph was not told). */
  segmentOf(index: number): Segment {
    return this.segments[this.segment.get(index)] as Segment;
  }

  /** Every distinct (region, product) pair so far, by segment code (see segmentCodeOf). */
  knownSegments(): readonly Segment[] {
    return this.segments;
  }

  /** The application's segment code: an index into knownSegments(). */
  segmentCodeOf(index: number): number {
    return this.segment.get(index);
  }

  indexOf(applicationId: string): number | undefined {
    const key = applicationKey(applicationId);
    if (!this.graph.hasNode(key)) return undefined;
    return this.graph.getNodeAttributes(key).index;
  }

  applicationId(index: number): string {
    return this.applicationIds[index] as string;
  }

  decidedAtOf(index: number): number {
    return this.decidedAt.get(index);
  }

  hasFraudEvidence(index: number): boolean {
    return this.evidence.get(index) === 1;
  }

  outcomeOf(index: number): string {
    return OUTCOME_CODES[this.outcome.get(index)] ?? 'other';
  }

  labelOf(index: number): Label | undefined {
    return LABELS[this.label.get(index)];
  }

  isLabelledFraud(index: number): boolean {
    return this.label.get(index) === FRAUD_LABEL;
  }

  /** Sets (or with undefined clears) an application's label; keeps the per-identifier fraud counts. */
  setLabel(index: number, label: Label | undefined): void {
    const before = this.label.get(index);
    const after = label === undefined ? 0 : LABELS.indexOf(label);
    if (before === after) return;
    this.label.set(index, after);
    const delta = after === FRAUD_LABEL ? 1 : before === FRAUD_LABEL ? -1 : 0;
    if (delta === 0) return;
    this.forEachIdentifierOf(index, (idx) => {
      const n = (this.fraudOn.get(idx) ?? 0) + delta;
      if (n > 0) this.fraudOn.set(idx, n);
      else this.fraudOn.delete(idx);
    });
  }

  /** The identifier's index, or -1 if no application carried it. */
  identifierIndex(type: IdentifierType, hash: string): number {
    return this.table.get(TYPE_INDEX[type], hash);
  }

  /** How many applications carry the identifier. */
  countOn(identifier: number): number {
    return this.identifierCount.get(identifier);
  }

  typeOf(identifier: number): IdentifierType {
    return IDENTIFIER_TYPES[this.identifierType.get(identifier)] as IdentifierType;
  }

  /** Node key and masked form of an identifier that links two or more applications. */
  sharedIdentifier(identifier: number): { key: string; type: IdentifierType; masked: string } | undefined {
    const key = this.sharedKeys.get(identifier);
    if (key === undefined) return undefined;
    const attributes = this.graph.getNodeAttributes(key);
    if (attributes.kind !== 'identifier') return undefined;
    return { key, type: attributes.type, masked: attributes.masked };
  }

  fraudOnIdentifier(identifier: number): number {
    return this.fraudOn.get(identifier) ?? 0;
  }

  /** Calls back with each application carrying the identifier: O(that count). */
  forEachApplicationOn(identifier: number, callback: (application: number) => void): void {
    const key = this.sharedKeys.get(identifier);
    if (key === undefined) {
      callback(this.identifierFirst.get(identifier));
      return;
    }
    this.graph.forEachNeighbor(key, (_neighbor, attributes) => callback(attributes.index));
  }

  /** Calls back with each identifier index the application carries. */
  forEachIdentifierOf(application: number, callback: (identifier: number) => void): void {
    const end = application + 1 < this.applicationIds.length ? this.linkStart.get(application + 1) : this.linkIdentifier.length;
    for (let l = this.linkStart.get(application); l < end; l++) callback(this.linkIdentifier.get(l));
  }

  /**
   * The integer form of the graph now; see GraphSnapshot. O(applications) for the label copy only,
   * made into `labelsInto` when given (a reused buffer) and into a new array otherwise.
   */
  snapshot(labelsInto?: Int8Array): GraphSnapshot {
    const applications = this.applicationIds.length;
    let label: Int8Array;
    if (labelsInto && labelsInto.length >= applications) {
      label = labelsInto.subarray(0, applications);
      label.set(this.label.array.subarray(0, applications));
    } else label = this.label.array.slice(0, applications);
    return {
      applications,
      identifiers: this.identifierType.length,
      links: this.linkIdentifier.length,
      decidedAt: this.decidedAt.array,
      outcome: this.outcome.array,
      evidence: this.evidence.array,
      label,
      linkStart: this.linkStart.array,
      linkIdentifier: this.linkIdentifier.array,
      identifierType: this.identifierType.array,
    };
  }
}
