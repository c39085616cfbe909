// The console declares the API's answers it reads (src/console/types.ts) rather than importing the
// server's sources (it is a separate program, bundled for the browser). Those declarations are
// held to the server's own types here, by the type checker (`npm run typecheck`): a field the
// server renames, drops or retypes fails the check, not a page in an investigator's browser.
import { describe, expect, it } from 'vitest';
import type * as Console from '../../src/console/types';
import type { ClusterSummaryView } from '../../src/graph/clustering';
import type { ClusterDetail, EgoNetwork } from '../../src/graph/investigation';
import type { DecisionView, QueuedDecision } from '../../src/decision/service';

/** Compiles only where the server's shape can be read as the console's. */
const readsAs = <Console>(server: Console): Console => server;

describe("the console's view of the API", () => {
  it('is what the server sends (checked by the type checker; this only names the pairs)', () => {
    const pairs = [
      (s: ClusterSummaryView) => readsAs<Console.ClusterSummary>(s),
      (s: ClusterDetail) => readsAs<Console.ClusterDetail>(s),
      (s: EgoNetwork) => readsAs<Console.EgoNetwork>(s),
      (s: QueuedDecision) => readsAs<Console.QueuedDecision>(s),
      (s: DecisionView) => readsAs<Console.DecisionDocument>(s),
    ];
    expect(pairs).toHaveLength(5);
  });
});
