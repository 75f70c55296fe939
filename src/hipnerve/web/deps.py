"""Typed dependencies: routes declare what they need, the app state provides it.

They are ``async`` because they only read the app state: FastAPI runs a plain ``def`` dependency
in its thread pool, a hand-off that cost more than a whole engine step.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from hipnerve.config import Settings
from hipnerve.engine.model import Model
from hipnerve.storage.repository import AssessmentRepository


async def get_model(request: Request) -> Model:
    model: Model = request.app.state.model
    return model


async def get_repository(request: Request) -> AssessmentRepository:
    repository: AssessmentRepository = request.app.state.repository
    return repository


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


ModelDep = Annotated[Model, Depends(get_model)]
RepositoryDep = Annotated[AssessmentRepository, Depends(get_repository)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
