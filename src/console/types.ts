// The API's answers as the console reads them (the shapes in GET /openapi.json). Declared here,
// not imported from the server's sources: the console is a separate program talking HTTP. The
// server's own types hold them to what it sends (test/console/api-types.test.ts, at typecheck).

export type Label = 'fraud' | 'legit';

export interface ClusterFlag {
  readonly flag: string;
  readonly metric: string;
  readonly value: number;
  readonly points: number;
  readonly why: string;
  readonly description?: string;
  readonly evidence?: Readonly<Record<string, unknown>>;
}

export interface ClusterSummary {
  readonly id: string;
  readonly size: number;
  readonly score: number;
  readonly suspicious: boolean;
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly flags: readonly ClusterFlag[];
}

export interface ClusterList {
  readonly clusters: readonly ClusterSummary[];
  readonly nextCursor: string | null;
  readonly clustering: { readonly generation: number; readonly at: string; readonly applications: number; readonly clusters: number; readonly suspicious: number } | null;
  readonly nextRecluster?: { readonly reason: string };
}

export interface ApplicationView {
  readonly applicationId: string;
  readonly outcome: string;
  readonly label: Label | null;
  readonly decidedAt: string;
}

export interface SharedIdentifier {
  readonly id: string;
  readonly type: string;
  readonly hash: string;
  readonly masked: string;
  readonly members: number;
  readonly applications: number;
  /** False for a common identifier (a hub): shown, but it links nobody and is never expanded. */
  readonly linking: boolean;
}

export interface Edge {
  readonly source: string;
  readonly target: string;
}

export interface ClusterDetail extends ClusterSummary {
  readonly density: number;
  readonly members: readonly ApplicationView[];
  readonly membersTruncated: boolean;
  readonly sharedIdentifiers: Readonly<Record<string, readonly SharedIdentifier[]>>;
  readonly edges: readonly Edge[];
  readonly clustering: { readonly generation: number; readonly at: string };
}

export type NetworkNode =
  | (ApplicationView & { readonly id: string; readonly kind: 'application'; readonly clusterId: string | null; readonly hops: number })
  | { readonly id: string; readonly kind: 'identifier'; readonly type: string; readonly hash: string; readonly masked: string; readonly applications: number; readonly common: boolean; readonly hops: number };

export interface EgoNetwork {
  readonly applicationId: string;
  readonly depth: number;
  readonly nodes: readonly NetworkNode[];
  readonly edges: readonly Edge[];
  readonly truncated: boolean;
}

export interface LabelRecord {
  readonly labelId: number;
  readonly applicationId: string;
  readonly label: Label;
  readonly by: string;
  readonly confirmedBy: string | null;
  readonly note: string | null;
  readonly labelledAt: string;
}

export interface Clearance {
  readonly status: 'awaiting_second_investigator';
  readonly requestedBy: string;
  readonly note: string | null;
  readonly requestedAt: string;
}

export interface LabelHistory {
  readonly applicationId: string;
  readonly label: Label | null;
  readonly clearance: Clearance | null;
  readonly history: readonly LabelRecord[];
}

export interface Reason {
  readonly code: string;
  readonly stage: string;
  readonly message: string;
}

export interface QueuedDecision {
  readonly decisionId: string;
  readonly applicationId: string;
  readonly product: string;
  readonly region: string;
  readonly amount: number;
  readonly outcome: string;
  readonly approvalLevel: string;
  readonly reasons: readonly Reason[];
  readonly decidedAt: string;
}

export interface ReviewQueue {
  readonly decisions: readonly QueuedDecision[];
  readonly nextCursor: string | null;
}

export interface DecisionDocument {
  readonly decisionId: string;
  readonly applicationId: string;
  readonly product: string;
  readonly region: string;
  readonly outcome: string;
  readonly currentOutcome: string;
  readonly status: 'final' | 'awaiting_review' | 'cancelled' | 'expired';
  readonly approvalLevel: string;
  readonly reasons: readonly Reason[];
  readonly decidedAt: string;
  readonly request?: { readonly amount?: number; readonly termMonths?: number; readonly identifiers?: Readonly<Record<string, { readonly masked?: string }>> };
  readonly fraud?: { readonly clusterId: string | null; readonly suspicious: boolean; readonly score: number; readonly flags: readonly string[] };
  readonly history: readonly { readonly at: number; readonly type: string; readonly detail: Readonly<Record<string, unknown>> }[];
}
