"""The web application: JSON API, pages, security headers, and errors that name the field.

``create_app`` wires settings, the compiled knowledge model and the repository; it never reaches
for globals, so tests build apps on their own SQLite files or PostgreSQL databases.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, ClassVar

from fastapi import FastAPI, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from swagger_ui_bundle import swagger_ui_path

from hipnerve import __version__
from hipnerve.config import Settings
from hipnerve.engine.model import Model, default_model
from hipnerve.exceptions import InputError, InterviewStateError, UnknownFindingError
from hipnerve.storage.db import make_engine, make_sessions, upgrade
from hipnerve.storage.repository import AssessmentRepository, Conflict, SqlAssessmentRepository

log = logging.getLogger("hipnerve.web")

MAX_BODY_BYTES = 64 * 1024

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "geolocation=(), camera=(), microphone=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes with 413, whether or not Content-Length is sent."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await _too_large(send, self.limit)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise _BodyTooLarge
            return message

        try:
            await self.app(scope, limited_receive, send)
        except _BodyTooLarge:
            await _too_large(send, self.limit)


class SecurityHeaders:
    """Add the security headers to every response (a pure ASGI middleware: no per-request task)."""

    _headers: ClassVar[list[tuple[bytes, bytes]]] = [
        (k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()
    ]

    # Swagger UI sets styles from script; only its page allows inline styles (never inline scripts).
    _docs_headers: ClassVar[list[tuple[bytes, bytes]]] = [
        (k, v.replace(b"style-src 'self'", b"style-src 'self' 'unsafe-inline'")) for k, v in _headers
    ]

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        private = scope["path"].startswith(("/api/", "/a/"))
        docs = scope["path"] == "/docs"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                extra = self._docs_headers if docs else self._headers
                headers += [(k, v) for k, v in extra if k not in present]
                if private and b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class _BodyTooLarge(Exception):
    pass


async def _too_large(send: Send, limit: int) -> None:
    body = f'{{"detail":"request body is larger than {limit} bytes"}}'.encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    errors = []
    for error in exc.errors():
        location = [str(part) for part in error.get("loc", ())]
        field = ".".join(p for p in location if p not in {"body", "query", "path"}) or "body"
        errors.append({"field": field, "loc": location, "msg": f"{field}: {error.get('msg', 'invalid')}"})
    return errors


def create_app(
    settings: Settings | None = None,
    model: Model | None = None,
    repository: AssessmentRepository | None = None,
) -> FastAPI:
    settings = settings or Settings()
    settings.refuse_unsafe()
    model = model or default_model()
    if repository is None:
        engine = make_engine(settings.resolved_database_url())
        upgrade(engine)
        repository = SqlAssessmentRepository(make_sessions(engine))

    app = FastAPI(
        docs_url=None,  # self-hosted below: no CDN, no inline script
        redoc_url=None,
        title="hipnerve API",
        version=__version__,
        description=(
            "Decision support for hip pain with numbness, tingling or weakness in the leg: next question, "
            "ranked conditions with evidence, and triage. Not a diagnosis."
        ),
    )
    app.state.settings = settings
    app.state.model = model
    app.state.repository = repository

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _field_errors(exc)
        return JSONResponse(
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
            content=jsonable_encoder({"detail": errors[0]["msg"] if errors else "invalid request", "errors": errors}),
        )

    @app.exception_handler(UnknownFindingError)
    async def unknown_finding(_request: Request, exc: UnknownFindingError) -> JSONResponse:
        return JSONResponse(status_code=422, content={"detail": f"evidence.id: {exc}", "field": "evidence.id"})

    @app.exception_handler(InputError)
    async def bad_input(_request: Request, exc: InputError) -> JSONResponse:
        return JSONResponse(status_code=422, content={"detail": str(exc)})

    @app.exception_handler(Conflict)
    async def conflict(_request: Request, exc: Conflict) -> JSONResponse:
        return JSONResponse(status_code=409, content={"detail": f"{exc}; reload it and try again"})

    @app.exception_handler(InterviewStateError)
    async def bad_step(_request: Request, exc: InterviewStateError) -> JSONResponse:
        return JSONResponse(status_code=409, content={"detail": str(exc)})

    from hipnerve.web.api import router as api_router
    from hipnerve.web.pages import router as pages_router
    from hipnerve.web.pages import templates

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        """Liveness for load balancers, and the framework's ceiling in `make bench`."""
        return {"status": "ok"}

    app.include_router(api_router)
    app.include_router(pages_router)
    app.mount("/static", StaticFiles(directory=str(Path(__file__).parent / "static")), name="static")
    app.mount("/docs-assets", StaticFiles(directory=str(swagger_ui_path)), name="docs-assets")

    @app.get("/favicon.ico", include_in_schema=False)
    async def favicon() -> Response:
        return RedirectResponse("/static/favicon.svg", status_code=301)

    @app.get("/docs", include_in_schema=False)
    async def api_docs(request: Request) -> Response:
        return templates.TemplateResponse(request, "docs.html", {})

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse(status_code=exc.status_code, content={"detail": exc.detail}, headers=exc.headers)
        heading = {404: "We could not find that page", 403: "This form has expired"}.get(
            exc.status_code, "Something went wrong"
        )
        return templates.TemplateResponse(
            request,
            "error.html",
            {
                "heading": heading,
                "message": str(exc.detail),
                "kb": model.kb,
                "emergency_number": settings.emergency_number,
            },
            status_code=exc.status_code,
        )

    app.add_middleware(SecurityHeaders)
    app.add_middleware(BodyLimit, limit=MAX_BODY_BYTES)
    app.openapi = lambda: _openapi_with_knowledge_ids(app, model)  # type: ignore[method-assign]
    return app


def _openapi_with_knowledge_ids(app: FastAPI, model: Model) -> dict[str, Any]:
    """The OpenAPI document, with the knowledge base's ids as enums, so clients (and schemathesis)
    know exactly which finding, condition and question ids are valid."""
    if app.openapi_schema:
        return app.openapi_schema
    from fastapi.openapi.utils import get_openapi

    from hipnerve.engine.questions import question_units

    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    components = schema["components"]["schemas"]
    findings = sorted(model.kb.findings)
    components["EvidenceIn"]["properties"]["id"]["enum"] = findings
    components["ExplainIn"]["properties"]["target"]["enum"] = sorted(model.kb.conditions)
    components["AnswerIn"]["properties"]["question_id"]["enum"] = [u.id for u in question_units(model)]
    components["AnswerIn"]["properties"]["answers"]["propertyNames"] = {"enum": findings}
    app.openapi_schema = schema
    return schema
