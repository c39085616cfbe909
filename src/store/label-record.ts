// Recording an investigator's label: the four-eyes step must see the label in force and the
// pending clearance exclusively, on one instance (the embedded store's transaction) or across
// replicas (postgres/labels.ts). One state machine decides for both (graph-store.ts labelStep).
import type { GraphStore, LabelInput, LabelOutcome } from './graph-store';

export interface LabelRecorder {
  /** Throws FourEyesError where the requester would confirm their own clearance. */
  record(input: LabelInput): Promise<LabelOutcome>;
}

export class LocalLabelRecorder implements LabelRecorder {
  constructor(private readonly store: GraphStore) {}

  async record(input: LabelInput): Promise<LabelOutcome> {
    return this.store.label(input);
  }
}
