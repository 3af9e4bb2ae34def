"""The HTTP API (FastAPI): routers per resource, Pydantic schemas, auth, error mapping."""

from evsenet.api.app import create_app

__all__ = ["create_app"]
