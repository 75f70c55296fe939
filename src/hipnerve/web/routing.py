"""A route class that validates a JSON body straight from its bytes.

FastAPI reads a JSON body with ``json.loads`` and then validates the Python objects against the
body model. For a route whose one body parameter is a pydantic model, pydantic can do both in one
pass over the bytes (``model_validate_json``), which costs about half as much. Only a body that
passes is taken this way; anything else (invalid JSON, a wrong type, another encoding) goes the
framework's usual way, so every error response is exactly what it was. The OpenAPI document,
dependencies and validation rules are untouched: the route is declared and documented as before.

``tests/web/test_api.py`` checks that both ways accept the same bodies with the same values.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError


class _ValidatedBodyRequest(Request):
    """A request whose ``json()`` is the body model itself when the bytes validate against it."""

    def __init__(self, request: Request, model: type[BaseModel]) -> None:
        super().__init__(request.scope, request.receive)
        self._model = model

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            body = await self.body()
            try:
                self._json = self._model.model_validate_json(body)
            except ValidationError:
                return await super().json()  # the framework's own reading and its own errors
        return self._json


def body_model(route: APIRoute) -> type[BaseModel] | None:
    """The pydantic model of a route's only, non-embedded body parameter, if it has one."""
    field = route.body_field
    if field is None or route._embed_body_fields or len(route.dependant.body_params) != 1:
        return None
    annotation = field.field_info.annotation
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None


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

        async def validated_body_handler(request: Request) -> Response:
            return await handler(_ValidatedBodyRequest(request, model))

        return validated_body_handler
