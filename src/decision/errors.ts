// Domain errors the HTTP layer maps onto its coded error registry.

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
