"""The two HTTP routes that set and clear the session cookie (served beside Streamlit
by ``serve.py`` through ``st.App(routes=…)``; Streamlit 1.67 runs on Starlette).

- ``POST /session/grant`` with a one-time grant as the body → ``Set-Cookie`` of the
  signed session (HttpOnly, SameSite=Lax, Secure over HTTPS, Max-Age to the session's
  end). The grant comes from the sign-in form (``accounts.sessions.grant``).
- ``POST /session/end`` → the cookie is cleared (the server side of signing out is
  ``sessions.end``, run by the page).

Both refuse a request whose ``Origin`` is another site, so no other page can sign a
browser in or out.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from indicators.accounts.sessions import COOKIE_NAME, redeem

GRANT_PATH = "/session/grant"
END_PATH = "/session/end"


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if origin is None:  # same-origin fetches from older browsers may omit it
        return True
    host = request.headers.get("host", "")
    return origin.split("://", 1)[-1] == host


async def grant(request: Request) -> PlainTextResponse:
    if not _same_origin(request):
        return PlainTextResponse("forbidden", status_code=403)
    token = (await request.body()).decode(errors="replace").strip()[:200]
    found = redeem(token)
    if found is None:
        return PlainTextResponse("invalid grant", status_code=400)
    value, max_age = found
    response = PlainTextResponse("ok", headers={"Cache-Control": "no-store"})
    response.set_cookie(COOKIE_NAME, value, max_age=max_age, path="/", httponly=True, samesite="lax",
                        secure=request.url.scheme == "https")
    return response


async def end(request: Request) -> PlainTextResponse:
    if not _same_origin(request):
        return PlainTextResponse("forbidden", status_code=403)
    response = PlainTextResponse("ok", headers={"Cache-Control": "no-store"})
    response.delete_cookie(COOKIE_NAME, path="/", httponly=True, samesite="lax",
                           secure=request.url.scheme == "https")
    return response


ROUTES = [Route(GRANT_PATH, grant, methods=["POST"]), Route(END_PATH, end, methods=["POST"])]
