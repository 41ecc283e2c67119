"""HTTP infrastructure every route stands on: who is calling, bodies, errors, responses,
rate limits, the endpoint table type, OpenAPI, idempotency."""
