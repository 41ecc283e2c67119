"""The HTTP edge and the programs around it, one package per kind:

- `web.app` builds the Starlette application; `web.endpoints` gathers every API endpoint.
- `web.routes`: route modules, one per concept (they import no other route module).
- `web.http`: what every route stands on: auth, bodies, errors, responses, rate limits,
  the endpoint table type, OpenAPI, idempotency, the caller's origin.
- `web.composition`: the composition root: settings, storage (one table per dialect),
  bootstrap, and the long-lived processes (projector, mail, notices) and backups.
- `web.cli`: the `walkthrough` command line, one module per command group.
- `web.render`: SVG charts and QR codes drawn on the server.
- `web.demo`: the demo district.
- `web/static`: the tablet app (PWA).

tests/unit/test_layout.py holds the import rules between them.
"""
