// The contract every synthetic population generator meets. Generators are written apart from
// each other and from the detector (src/graph), so that thresholds chosen on some populations
// can be judged on others nobody tuned on (docs/fraud-graph.md, "Evaluation").
import type { Application } from '../../src/decision/application';

export interface PopulationMember {
  /** The POST /decide body; applicationId is unique within the population. */
  readonly application: Application;
  /** When the application was submitted (epoch milliseconds). */
  readonly submittedAt: number;
  /** Ground truth: the ring this applicant belongs to (unique within the population), or null for a legitimate one. */
  readonly ring: string | null;
  /** A ring member's ring shape (e.g. 'device-farm'), or the legitimate structure the applicant belongs to (e.g. 'household', 'dorm', 'single'). */
  readonly kind: string;
}

export interface Population {
  /** The generator's name. */
  readonly generator: string;
  readonly seed: number;
  /** Sorted by submittedAt. */
  readonly members: readonly PopulationMember[];
}

export interface PopulationGenerator {
  readonly name: string;
  /** Every ring shape this generator plants (the `kind` of ring members). */
  readonly ringShapes: readonly string[];
  /** Every legitimate structure it writes (the `kind` of legitimate members). */
  readonly legitimateStructures: readonly string[];
  /** Deterministic: the same options give the same population. */
  generate(options: { readonly seed: number; readonly size?: number }): Population;
}
