"""The chat widget's static files and the demo customer-portal page."""

from __future__ import annotations

from functools import cache
from importlib import resources

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

router = APIRouter(include_in_schema=False)


@cache
def _asset(name: str, folder: str = "widget") -> str:
    """The file's text, read once per process (the files ship inside the package)."""
    return resources.files("ui").joinpath(folder, name).read_text(encoding="utf-8")


_STRICT = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


@router.get("/workspace")
def workspace_page() -> HTMLResponse:
    """The engineers' workspace (it signs in through the API; nothing here is secret)."""
    return HTMLResponse(_asset("index.html", "workspace"), headers=_STRICT)


def _workspace_script(name: str) -> Response:
    return Response(
        _asset(name, "workspace"),
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache", **_STRICT},
    )


@router.get("/workspace.js")
def workspace_js() -> Response:
    return _workspace_script("workspace.js")


@router.get("/workspace-articles.js")
def workspace_articles_js() -> Response:
    """The workspace's KCS part: the resolve dialog and the articles to review."""
    return _workspace_script("articles.js")


@router.get("/workspace.css")
def workspace_css() -> Response:
    return Response(
        _asset("workspace.css", "workspace"),
        media_type="text/css",
        headers={"Cache-Control": "no-cache", **_STRICT},
    )


@router.get("/widget.js")
def widget_js() -> Response:
    return Response(
        _asset("widget.js"),
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
    )


@router.get("/widget.css")
def widget_css() -> Response:
    return Response(
        _asset("widget.css"), media_type="text/css", headers={"Cache-Control": "no-cache"}
    )


@router.get("/")
def demo_page() -> HTMLResponse:
    return HTMLResponse(
        _asset("demo.html"),
        headers={"Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'"},
    )
