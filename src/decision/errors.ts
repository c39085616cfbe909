// Domain errors the HTTP layer maps onto its coded error registry.

export class UnknownRegionError extends Error {
  constructor(
    readonly region: string,
    readonly known: readonly string[],
  ) {
    super(`unknown region "${region}"; configured regions: ${known.join(', ')}`);
  }
}

export class UnknownProductError extends Error {
  constructor(
    readonly product: string,
    readonly known: readonly string[],
  ) {
    super(`no rule flow for product "${product}" (products: ${known.join(', ')})`);
  }
}

export class IdempotencyConflictError extends Error {
  constructor(
    readonly applicationId: string,
    readonly decisionId: string,
  ) {
    super(`application "${applicationId}" was already decided (decision ${decisionId}) with a different request body`);
  }
}

export class DecisionNotFoundError extends Error {
  constructor(readonly decisionId: string) {
    super(`no decision "${decisionId}"`);
  }
}

/** The decision is not in a state that allows this action (already final, not approved, …). */
export class DecisionStateError extends Error {}

export class InsufficientAuthorityError extends Error {}

/** A replay needs the rule set a decision was made with, and the archive does not hold it: never replayed on other rules. */
export class ArchivedRuleSetMissingError extends Error {
  constructor(readonly version: string) {
    super(`rule set ${version} is not in the archive: the decision cannot be replayed (it is never replayed on other rules)`);
  }
}

/** A sign-off approval that the region's exposure limit has no room for. */
export class RegionLimitExceededError extends Error {}
