"""The operator's web UI: server-rendered pages (Jinja2) with htmx, assets served locally.

`evsenet.web.app.create_web_app(store)` builds it; `evsenet.api.app.create_app` mounts it
at `/` below the API's own paths. Routes parse the request, call one service and render a
template.
"""
