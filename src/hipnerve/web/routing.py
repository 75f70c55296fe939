"""A route class that validates a JSON body straight from its bytes.

FastAPI reads a JSON body with ``json.loads`` and then validates the Python objects against the
body model. For a route whose one body parameter is a pydantic model, pydantic can do both in one
pass over the bytes (``model_validate_json``), which costs about half as much. Only a body that
passes is taken this way; anything else (invalid JSON, a wrong type, another encoding) goes the
framework's usual way, so every error response is exactly what it was. The OpenAPI document,
dependencies and validation rules are untouched: the route is declared and documented as before.

``tests/web/test_api.py`` checks that both ways accept the same bodies with the same values.

For the simplest routes (one JSON body, dependencies that only read the request, an ``async``
endpoint that returns its own :class:`Response`), a body that validates goes straight to the
endpoint: the framework's generic work around it (content-type parsing, dependency solving,
re-checking the validated model) would decide nothing for such a body. Whatever is not that
case (another content type, a body that does not validate, dependency overrides, telemetry
switched on) goes the framework's own way, as before.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Coroutine, MutableMapping
from typing import Any, get_type_hints

from fastapi import Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, _effective_route_context_var
from fastapi.telemetry._api import get_telemetry_data
from pydantic import BaseModel, ValidationError


class _ValidatedBodyRequest(Request):
    """A request whose ``json()`` is the body model itself when the bytes validate against it."""

    def __init__(
        self, request: Request, model: type[BaseModel], body: bytes | None = None, error: Exception | None = None
    ) -> None:
        super().__init__(request.scope, request.receive)
        self._model = model
        if body is not None:  # already read from the connection
            self._body = body
        self._error = error

    async def body(self) -> bytes:
        if self._error is not None:  # reading it failed: the framework turns that into its own error
            raise self._error
        return await super().body()

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            body = await self.body()
            try:
                self._json = self._model.model_validate_json(body)
            except ValidationError:
                return await super().json()  # the framework's own reading and its own errors
        return self._json


def body_model(route: Any) -> type[BaseModel] | None:
    """The pydantic model of a route's only, non-embedded body parameter, if it has one."""
    field = route.body_field
    if field is None or route._embed_body_fields or len(route.dependant.body_params) != 1:
        return None
    annotation = field.field_info.annotation
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None


def _reads_only_the_request(dependant: Dependant) -> bool:
    """An ``async def f(request)`` dependency with nothing else to solve."""
    return (
        dependant.request_param_name is not None
        and inspect.iscoroutinefunction(dependant.call)
        and not (
            dependant.dependencies
            or dependant.path_params
            or dependant.query_params
            or dependant.header_params
            or dependant.cookie_params
            or dependant.body_params
            or dependant.websocket_param_name
            or dependant.http_connection_param_name
            or dependant.response_param_name
            or dependant.background_tasks_param_name
            or dependant.security_scopes_param_name
        )
    )


def direct_call(route: Any) -> bool:
    """Whether a validated body may go straight to ``route``'s endpoint (see the module's doc)."""
    dependant = route.dependant
    endpoint = route.endpoint
    try:
        returns = get_type_hints(endpoint).get("return")
    except Exception:  # pragma: no cover - an annotation that does not resolve
        return False
    return (
        body_model(route) is not None
        and inspect.iscoroutinefunction(endpoint)
        and isinstance(returns, type)
        and issubclass(returns, Response)
        and not (
            dependant.path_params
            or dependant.query_params
            or dependant.header_params
            or dependant.cookie_params
            or dependant.request_param_name
            or dependant.websocket_param_name
            or dependant.http_connection_param_name
            or dependant.response_param_name
            or dependant.background_tasks_param_name
            or dependant.security_scopes_param_name
        )
        and all(_reads_only_the_request(d) for d in dependant.dependencies)
    )


def _is_json(scope: MutableMapping[str, Any]) -> bool:
    """Whether the request says ``Content-Type: application/json`` exactly (FastAPI reads more
    spellings as JSON; those take its own way)."""
    for name, value in scope["headers"]:
        if name == b"content-type":
            return bool(value == b"application/json")
    return False


class ValidatedBodyRoute(APIRoute):
    """An :class:`APIRoute` whose pydantic body is validated from the bytes in one pass.

    FastAPI then validates the already-built model instance again, which pydantic passes through
    as it is (``revalidate_instances`` is ``"never"``).
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        model = body_model(self)
        if model is None:
            return handler
        # The route as included in an app (with the including routers' dependencies and the app's
        # dependency overrides), resolved as the framework resolves it for its own handler.
        effective = _effective_route_context_var.get()
        route: Any = effective if effective is not None and effective.original_route is self else self

        async def validated_body_handler(request: Request) -> Response:
            return await handler(_ValidatedBodyRequest(request, model))

        if not direct_call(route):
            return validated_body_handler

        endpoint = route.endpoint
        body_name = route.dependant.body_params[0].name
        dependencies: list[tuple[str, Callable[..., Awaitable[Any]], str]] = [
            (str(d.name), d.call, str(d.request_param_name)) for d in route.dependant.dependencies
        ]
        overrides = route.dependency_overrides_provider

        async def direct_handler(request: Request) -> Response:
            if (
                not _is_json(request.scope)
                or get_telemetry_data() is not None
                or getattr(overrides, "dependency_overrides", None)
            ):
                return await validated_body_handler(request)
            try:
                body = await request.body()
            except Exception as exc:
                return await handler(_ValidatedBodyRequest(request, model, error=exc))
            try:
                value = model.model_validate_json(body)
            except ValidationError:
                return await handler(_ValidatedBodyRequest(request, model, body=body))
            values: dict[str, Any] = {body_name: value}
            for name, call, request_name in dependencies:
                values[name] = await call(**{request_name: request})
            response = await endpoint(**values)
            if not isinstance(response, Response):  # pragma: no cover - direct_call checked the annotation
                raise TypeError(f"{endpoint.__name__} returned {type(response).__name__}, not a Response")
            return response

        return direct_handler
