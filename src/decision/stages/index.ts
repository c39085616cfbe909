// The stage providers every deployment runs; the service and the analysts' rule tests share them.
import type { VelocityIndex } from '../../velocity/velocity-index';
import type { FraudGraph } from '../../graph/fraud-graph';
import type { ExposureBook } from '../../limits/exposure-book';
import { combineProviders, type StageProviders } from '../flow';
import { approvalFacts } from './approval';
import { eligibilityFacts } from './eligibility';
import { graphFacts, velocityFacts } from './fraud';
import { exposureFacts } from './limits';
import { scoringFacts, type ScoringDeps } from './scoring';

export interface StandardProviderDeps {
  readonly velocity: VelocityIndex;
  readonly exposure: ExposureBook;
  readonly scoring: ScoringDeps;
  /** The fraud graph; without it (rule tests) the fraud stage has velocity only. */
  readonly graph?: FraudGraph;
  readonly clock?: () => number;
}

export function standardProviders(deps: StandardProviderDeps): StageProviders {
  const velocity = velocityFacts(deps.velocity, deps.clock);
  return {
    eligibility: eligibilityFacts,
    fraud: deps.graph ? combineProviders(velocity, graphFacts(deps.graph)) : velocity,
    scoring: scoringFacts(deps.scoring),
    approval: approvalFacts,
    limits: exposureFacts(deps.exposure),
  };
}

