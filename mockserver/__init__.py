"""sora-mock: the OpenAI Videos API, stateful and checked by contract, for frontend development.

A thin HTTP door (Starlette on uvicorn) onto the contract core's :class:`VideoService`: the same
checker, video engine, journal and controls as the respx mock, so both answer alike.
"""

from contract_tests.core.stores import SqliteJournal, SqliteStore
from mockserver.app import app_from_env, create_app
from mockserver.cli import main
from mockserver.door import VideoDoor
from mockserver.openapi import build as build_openapi
from mockserver.settings import Settings, build_service

__all__ = [
    "Settings",
    "SqliteJournal",
    "SqliteStore",
    "VideoDoor",
    "app_from_env",
    "build_openapi",
    "build_service",
    "create_app",
    "main",
]
