"""Settings of the HTTP API (section `[api]`): bearer tokens, rate limit, body size.

Kept apart from `assistant.web.api` so the settings object can include it without
importing FastAPI.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator


class ApiToken(BaseModel):
    """One client system allowed to call the API."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,64}$",
                      description="Who holds the token (e.g. 'intranet'); used in the log session ('api:<name>') and for the rate limit.")
    sha256: str = Field(pattern=r"^[0-9A-Fa-f]{64}$",
                        description="SHA-256 (hex) of the bearer token, never the token itself: `printf %s \"$TOKEN\" | sha256sum`.")

    @field_validator("sha256")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.lower()


class ApiSettings(BaseModel):
    """The HTTP API for other systems (section `[api]`)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    tokens: list[ApiToken] = Field(default_factory=list,
                                   description="Bearer tokens accepted, by name and SHA-256. Empty: every protected route answers 403 'api_not_configured'.")
    rate_limit_per_minute: int = Field(30, ge=1, le=100_000,
                                       description="Requests per minute and per client (token name, else client IP) on protected routes; beyond, 429 with Retry-After.")
    max_body_bytes: int = Field(16384, ge=1024, le=10_000_000,
                                description="Largest request body accepted; beyond, 413 before the body is parsed.")
