"""The action server: rasa-sdk's app behind a shared secret, on loopback, with redacted logs.

``rasa run actions`` (rasa-sdk 3.6) listens on every interface and runs any tracker anyone posts,
so a hand-made request could read a shopper's orders. This entry point builds the same Sanic app
(:func:`rasa_sdk.endpoint.create_app`) and adds what it lacks:

- it listens on ``ACTION_HOST`` (default 127.0.0.1);
- every request except ``GET /health`` must carry ``Authorization: Bearer $ACTION_SERVER_TOKEN``
  (the Rasa server sends it, see ``endpoints.yml``), compared in constant time, or gets 401;
- emails, phone numbers and addresses are redacted from its logs (:mod:`core.redact`).

It lives outside ``actions/`` because rasa-sdk imports every module of that package.
Run it with ``python -m tools.action_server`` (``make actions``; ``make run`` starts it too).
"""

from __future__ import annotations

import argparse
import hmac
import logging
import os
import sys
from typing import Awaitable, Callable, List, Optional

from sanic import Sanic, response
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse

from core import redact
from core.settings import ENV_FILE, SettingsError, load_settings

logger = logging.getLogger(__name__)

OPEN_ROUTES = frozenset({("GET", "/health")})
"""Answered without the secret: the launcher's health check, which says only ``{"status": "ok"}``."""

LOG_FORMAT = "%(asctime)s %(levelname)-8s %(name)s  - %(message)s"

Middleware = Callable[[Request], Awaitable[Optional[HTTPResponse]]]


def bearer_token_required(expected: str) -> Middleware:
    """Request middleware answering 401 unless the request carries ``Bearer <expected>``."""
    if not expected:
        raise ValueError("the action server's shared secret is empty")
    wanted = f"Bearer {expected}".encode()

    async def check(request: Request) -> Optional[HTTPResponse]:
        if (request.method, request.path) in OPEN_ROUTES:
            return None
        given = request.headers.get("Authorization", "").encode()
        if hmac.compare_digest(given, wanted):
            return None
        return response.json({"error": "unauthorized"}, status=401)

    return check


async def _http_error(_request: Request, error: SanicException) -> HTTPResponse:
    # rasa-sdk's catch-all handler turns routing errors (404, 405) and unreadable JSON into a 500
    # that echoes the request body; keep their own status and say nothing else.
    return response.json({"error": str(error)}, status=error.status_code)


def create_app(token: str, actions_package: str = "actions") -> Sanic:
    """rasa-sdk's action server app with the shared-secret check in front of every route."""
    from rasa_sdk.endpoint import create_app as create_sdk_app

    app = create_sdk_app(actions_package, cors_origins="")
    app.register_middleware(bearer_token_required(token), "request")
    app.error_handler.add(SanicException, _http_error)
    return app


def configure_logging(level: str) -> None:
    """Log to stdout (the launcher writes it to ``var/logs/actions.log``), redacted."""
    logging.basicConfig(level=level, format=LOG_FORMAT, stream=sys.stdout, force=True)
    redact.install()


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Run the action server (rasa-sdk) with a shared secret.")
    parser.add_argument("--actions", default="actions", help="package with the actions (default: actions)")
    args = parser.parse_args(argv)
    try:
        # The launcher passes every setting; run alone (make actions), the shared secret is read
        # from (or generated into) var/secrets.env, where the Rasa server's launcher finds it too.
        settings = load_settings(os.environ, env_file=ENV_FILE, generate_secrets=True)
    except SettingsError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2
    configure_logging(os.environ.get("LOG_LEVEL", "INFO").upper())
    host, port = settings.action_host, settings.action_port
    app = create_app(settings.action_server_token, args.actions)
    logger.info("Action server listening on http://%s:%s (shared secret required)", host, port)
    app.run(host, port, workers=1, access_log=False, motd=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
