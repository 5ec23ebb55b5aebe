"""Headers every response carries, and the favicon.

The app serves every script, style, font and image itself (no CDN), so the policy allows only its own origin.
Scripts: only files from /static — the templates' `<script type="application/json">` blocks are data, which the
browser never runs, and no page has an inline handler. Styles: only files; scripts may still set `element.style`
(echarts and the bpmn-js viewer do), which a policy does not govern. The designer's pages alone also allow
`style="…"` attributes: the bpmn-js modeler writes them into the markup of its menus (the align-elements icons);
they can load nothing, since img-src and font-src stay 'self'. A view that needs another policy (a printed
document with its own `<style>`, the public pages) sets it and keeps it; no response may be framed.
"""
from __future__ import annotations

from flask import Flask, Response, current_app, request, send_from_directory

DIRECTIVES = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
)
CSP = "; ".join(DIRECTIVES)
DESIGNER_CSP = "; ".join((*DIRECTIVES, "style-src-attr 'unsafe-inline'"))
HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def add_headers(response: Response) -> Response:
    policy = response.headers.get("Content-Security-Policy")
    if policy is None:
        response.headers["Content-Security-Policy"] = DESIGNER_CSP if request.blueprint == "designer" else CSP
    elif "frame-ancestors" not in policy:
        response.headers["Content-Security-Policy"] = f"{policy}; frame-ancestors 'none'"
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def favicon():
    return send_from_directory(current_app.static_folder, "favicon.ico", mimetype="image/vnd.microsoft.icon",
                               max_age=86400)


def init_app(app: Flask) -> None:
    app.after_request(add_headers)
    app.add_url_rule("/favicon.ico", "favicon", favicon)
