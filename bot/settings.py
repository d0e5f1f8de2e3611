"""Configuration from the environment and `.env` (DESIGN.md §Configuration)."""

from __future__ import annotations

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_DRAFT_MODEL = "claude-sonnet-5-5"


class SettingsError(Exception):
    """A missing or malformed setting; `str()` is one line per problem, naming the variable."""


class Settings(BaseSettings):
    """Every knob warroom reads. Secrets are `SecretStr` so they never print by accident."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    slack_bot_token: SecretStr | None = Field(default=None, alias="SLACK_BOT_TOKEN")
    slack_signing_secret: SecretStr | None = Field(default=None, alias="SLACK_SIGNING_SECRET")
    slack_app_token: SecretStr | None = Field(default=None, alias="SLACK_APP_TOKEN")
    slack_api_url: str = Field(default=DEFAULT_SLACK_API_URL, alias="SLACK_API_URL")
    port: int = Field(default=3000, alias="PORT", ge=1, le=65535)
    database_url: str = Field(default="sqlite:///warroom.db", alias="DATABASE_URL")
    anthropic_api_key: SecretStr | None = Field(default=None, alias="ANTHROPIC_API_KEY")
    anthropic_base_url: str | None = Field(default=None, alias="ANTHROPIC_BASE_URL")
    draft_model: str = Field(default=DEFAULT_DRAFT_MODEL, alias="WARROOM_DRAFT_MODEL")
    draft_timeout_seconds: float = Field(default=45.0, alias="WARROOM_DRAFT_TIMEOUT_SECONDS", gt=0, le=600)
    company_name: str | None = Field(default=None, alias="WARROOM_COMPANY_NAME")
    policy_path: str | None = Field(default=None, alias="WARROOM_POLICY")
    escalations_channel: str | None = Field(default=None, alias="WARROOM_ESCALATIONS_CHANNEL")
    leadership_channel: str | None = Field(default=None, alias="WARROOM_LEADERSHIP_CHANNEL")
    # A Slack user group (id `S…` or handle) whose members see every escalation and may downgrade any.
    managers_group: str | None = Field(default=None, alias="WARROOM_MANAGERS_GROUP")
    log_level: str = Field(default="INFO", alias="WARROOM_LOG_LEVEL")
    sweep_seconds: float = Field(default=1.0, alias="WARROOM_SWEEP_SECONDS", gt=0, le=300)
    # Threads for slow work after the acknowledgement (room set-up, drafts, changes); mostly waiting on Slack.
    background_workers: int = Field(default=16, alias="WARROOM_BACKGROUND_WORKERS", ge=1, le=256)

    @field_validator(
        "slack_bot_token",
        "slack_signing_secret",
        "slack_app_token",
        "anthropic_api_key",
        "anthropic_base_url",
        "policy_path",
        "company_name",
        "escalations_channel",
        "leadership_channel",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        # `.env` templates ship `SLACK_BOT_TOKEN=`; an empty value means "not configured".
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xoxb-"):
            raise ValueError("must be a bot token starting with xoxb-")
        return value

    @field_validator("slack_app_token")
    @classmethod
    def _app_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xapp-"):
            raise ValueError("must be an app-level token starting with xapp-")
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _api_url_shape(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL such as https://slack.com/api/")
        return value if value.endswith("/") else value + "/"

    @field_validator("database_url")
    @classmethod
    def _database_url_shape(cls, value: str) -> str:
        try:
            backend = make_url(value).get_backend_name()
        except ArgumentError:
            raise ValueError(
                "is not a database URL; use sqlite:///warroom.db or postgresql://user@host/db"
            ) from None
        if backend not in ("sqlite", "postgresql"):
            raise ValueError(f"uses {backend}; warroom supports sqlite and postgresql")
        return value

    @field_validator("log_level")
    @classmethod
    def _log_level_name(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR")
        return level

    @property
    def has_slack_credentials(self) -> bool:
        """True when a bot token and signing secret are configured (a real workspace)."""
        return self.slack_bot_token is not None and self.slack_signing_secret is not None

    @property
    def secret_values(self) -> tuple[str, ...]:
        """The configured secrets' values: what the logs redact wherever it appears."""
        return tuple(
            secret.get_secret_value()
            for secret in (
                self.slack_bot_token,
                self.slack_signing_secret,
                self.slack_app_token,
                self.anthropic_api_key,
            )
            if secret
        )

    @property
    def socket_mode(self) -> bool:
        """True when an app-level token asks for Socket Mode instead of HTTP."""
        return self.slack_app_token is not None


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment and `.env`; raise `SettingsError` with one line per problem."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise SettingsError("\n".join(_describe(error) for error in exc.errors())) from None


def _describe(error: dict) -> str:
    name = str(error["loc"][0]) if error.get("loc") else "configuration"
    field = Settings.model_fields.get(name)
    variable = field.alias if field is not None and field.alias else name.upper()
    reason = str(error.get("msg", "is invalid")).removeprefix("Value error, ")
    given = error.get("input")
    shown = (
        ""
        if "token" in variable.lower() or "secret" in variable.lower() or "key" in variable.lower()
        else (f" (got {given!r})" if isinstance(given, str) else "")
    )
    return f"{variable}: {reason[0].lower() + reason[1:] if reason else 'is invalid'}{shown}"
