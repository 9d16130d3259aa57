"""Shared helpers for the change-gate tests: a minimal document exercising every construct the rules read.

Each rule's test mutates a fresh copy of ``base_document()`` into the smallest OLD/NEW pair (or the
smallest contradictory document) that triggers it. (A plain module, not a conftest: conftest names
clash across test directories without packages.) Import it as ``changes_docs``.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]

_BASE: dict[str, Any] = {
    "openapi": "3.0.1",
    "info": {"title": "videos", "version": "1.0.0"},
    "servers": [{"url": "https://api.example.test", "description": "production"}],
    "security": [{"bearer": []}],
    "components": {"schemas": {}, "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    "paths": {
        "/v1/videos": {
            "post": {
                "summary": "create a video",
                "description": "",
                "deprecated": False,
                "tags": ["videos"],
                "parameters": [],
                "x-apifox-status": "released",
                "requestBody": {
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "model": {"type": "string", "example": "sora-2"},
                                    "prompt": {"type": "string"},
                                    "input_reference": {"type": "string", "format": "binary"},
                                    "size": {
                                        "type": "string",
                                        "description": "allowed values: 720x1280, 1280x720",
                                        "example": "720x1280",
                                    },
                                    "quality": {"type": "string", "enum": ["standard", "high"]},
                                },
                                "required": ["model"],
                            }
                        }
                    }
                },
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "id": {"type": "string"},
                                        "progress": {"type": "integer"},
                                        "status": {"type": "string", "enum": ["queued", "completed"]},
                                        "note": {"type": "string"},
                                    },
                                    "required": ["id", "progress", "status"],
                                },
                                "example": {"id": "video_1", "progress": 0, "status": "queued"},
                            }
                        },
                    },
                    "400": {"description": "invalid request"},
                },
            }
        }
    },
}


def base_document() -> dict[str, Any]:
    """A fresh deep copy of the minimal document."""
    return copy.deepcopy(_BASE)


def operation(doc: dict[str, Any]) -> dict[str, Any]:
    """``POST /v1/videos`` of ``doc``."""
    op: dict[str, Any] = doc["paths"]["/v1/videos"]["post"]
    return op


def request_schema(doc: dict[str, Any]) -> dict[str, Any]:
    """The multipart request body schema of ``doc``."""
    schema: dict[str, Any] = operation(doc)["requestBody"]["content"]["multipart/form-data"]["schema"]
    return schema


def response_media(doc: dict[str, Any]) -> dict[str, Any]:
    """The 200 application/json media type object of ``doc``."""
    media: dict[str, Any] = operation(doc)["responses"]["200"]["content"]["application/json"]
    return media


def dump(doc: dict[str, Any]) -> str:
    """``doc`` as YAML text, keys in insertion order (like the upstream exports)."""
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)


@pytest.fixture
def specs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty specs directory that ``SORA_SPECS_DIR`` points at."""
    directory = tmp_path / "specs"
    directory.mkdir()
    monkeypatch.setenv("SORA_SPECS_DIR", str(directory))
    return directory
