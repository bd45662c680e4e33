"""``GET /metrics``: the Prometheus text format (request latency by route, the domain's counters).

It shows counts by route template, status class, reply kind, handoff route and priority, sink
and limit scope: no ids, addresses, names or text. Who may read it:

* ``ASSIST_SERVER__METRICS_TOKEN`` set: only ``Authorization: Bearer <token>`` (any environment;
  wrong tokens count against the caller's address like wrong engineer keys);
* no token, development: anyone (the usual Prometheus set-up on a private network);
* no token, production: nobody (404), since counts of handoffs are business figures.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Request
from fastapi.responses import Response

from bot.api.deps import StateDep
from bot.metrics import CONTENT_TYPE

router = APIRouter(tags=["operations"])


def _authorised(request: Request, state: StateDep, authorization: str | None) -> None:
    settings = state.settings
    token = settings.server.metrics_token
    if token is None:
        if settings.environment == "production":
            raise HTTPException(404, detail="Not Found")
        return
    client = request.client.host if request.client else "unknown"
    if state.key_failures.blocked(client):
        state.metrics.rate_limited("metrics_token")
        raise HTTPException(429, detail="too many wrong tokens; wait a minute")
    scheme, _, given = (authorization or "").partition(" ")
    expected = token.get_secret_value().encode()
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), expected):
        state.key_failures.hit(client)
        raise HTTPException(401, detail="a valid metrics bearer token is required")


@router.get("/metrics", include_in_schema=False)
def metrics(
    request: Request,
    state: StateDep,
    authorization: Annotated[str | None, Header()] = None,
) -> Response:
    _authorised(request, state, authorization)
    return Response(state.metrics.exposition(), media_type=CONTENT_TYPE)
