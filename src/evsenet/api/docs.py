"""`/docs`: Swagger UI served from the assets of a package, not from a public CDN.

FastAPI's own page loads Swagger UI's script from jsDelivr: the docs would not work
offline, and a third-party script would run on the page where API tokens are pasted.
The `fastapi-offline` package bundles Swagger UI's script, style sheet and a favicon
(kept current by its maintainers); evsenet serves them below `/docs/assets`.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

DOCS_URL = "/docs"
ASSETS_URL = "/docs/assets"
ASSETS = Path(str(files("fastapi_offline") / "static"))
"""Swagger UI's `swagger-ui-bundle.js`, `swagger-ui.css` and `favicon.png`."""


def install_docs(app: FastAPI) -> None:
    """Serve Swagger UI at `/docs` on `app`'s OpenAPI document, every asset local."""
    openapi_url = app.openapi_url or "/openapi.json"
    redirect_url = app.swagger_ui_oauth2_redirect_url or "/docs/oauth2-redirect"
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS), name="docs-assets")

    async def swagger_ui(_request: Request) -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} - Swagger UI",
            oauth2_redirect_url=redirect_url,
            swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_URL}/favicon.png",
        )

    async def swagger_ui_redirect(_request: Request) -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    # Plain routes, like FastAPI's own docs: no API operation, not in the OpenAPI document.
    app.add_route(DOCS_URL, swagger_ui, include_in_schema=False)
    app.add_route(redirect_url, swagger_ui_redirect, include_in_schema=False)
