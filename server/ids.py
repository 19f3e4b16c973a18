"""Session ids: the join codes students type, a new one drawn at random, and the one a
websocket URL names (what a proxy routes by), checked against the join's."""

from __future__ import annotations

import re
import secrets
from collections.abc import Container

from .errors import Invalid

# A session id is also its join code, which students type: 6 characters from an alphabet
# without look-alikes (no 0/O, 1/I/L), drawn at random by the server (a page gets a new
# session's from POST /session; static/js/joincode.js checks typed ones). Ids of the older form (8
# characters of base64url) stay valid, so old links keep working. The id is what a proxy
# routes by, so a code typed anywhere reaches the instance that holds its session.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
SESSION_ID = re.compile(rf"[{CODE_ALPHABET}]{{6}}|[A-Za-z0-9_-]{{8}}")
ID_FORMS = (
    "a join code of 6 characters from 2-9 and A-Z without I, L and O (e.g. K7MQ3P), "
    "or 8 characters from A-Z, a-z, 0-9, '-' and '_'"
)


def new_session_id(taken: Container[str] = ()) -> str:
    while True:
        sid = "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))
        if sid not in taken:
            return sid


def check_route(route: str, session: str | None) -> None:
    """The URL's session id (what a proxy routes by) must be well formed and name the
    join's session."""
    if not SESSION_ID.fullmatch(route):
        raise Invalid(
            "session",
            f"the websocket URL's session '{route[:40]}' is not a session id: {ID_FORMS}",
        )
    if session is None:
        raise Invalid(
            "session",
            f"is null but the websocket URL names '{route}': a new session's id and token come from POST /session",
        )
    if session != route:
        raise Invalid(
            "session",
            f"is '{session[:40]}' but the websocket URL's session is '{route}'; the two must be the same",
        )
