// The fraud stage's facts: identifier velocity, and the fraud graph's view of the application.
import type { VelocityIndex } from '../../velocity/velocity-index';
import type { FraudGraph } from '../../graph/fraud-graph';
import { requiredFact } from '../../rules/facts';
import type { StageProvider } from '../flow';

/** How often each identifier was seen in the last 24 h, this application included. */
export function velocityFacts(index: VelocityIndex, clock: () => number = Date.now): StageProvider {
  return ({ facts }) => ({ velocity: index.counts(requiredFact(facts, 'identifiers'), clock()) });
}

/** The community the application links into and its neighbourhood (docs/fraud-graph.md). */
export function graphFacts(graph: FraudGraph): StageProvider {
  return ({ facts }) => ({ fraud: graph.facts(requiredFact(facts, 'identifiers')) });
}
