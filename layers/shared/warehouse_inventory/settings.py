"""Typed settings read once per container from the function's environment (template.yaml).

A plain pydantic model validated from os.environ: pydantic-settings (with python-dotenv) would
cost every cold start ~20 ms for what a few strings and numbers do not need.
"""

import os
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from warehouse_inventory import __version__


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    table_name: str = Field(default="InventoryTable", validation_alias="TABLE_NAME")
    tokens_table_name: str = Field(default="TokensTable", validation_alias="TOKENS_TABLE_NAME")
    idempotency_table_name: str = Field(
        default="IdempotencyTable", validation_alias="IDEMPOTENCY_TABLE_NAME"
    )
    cursor_secret: SecretStr = Field(
        default=SecretStr(""), validation_alias="CURSOR_SECRET", min_length=0
    )
    cursor_ttl_seconds: int = Field(default=86_400, validation_alias="CURSOR_TTL_SECONDS", gt=0)
    service_version: str = Field(default=__version__, validation_alias="SERVICE_VERSION")
    audit_table_name: str = Field(default="AuditTable", validation_alias="AUDIT_TABLE_NAME")
    audit_queue_url: str = Field(default="", validation_alias="AUDIT_QUEUE_URL")
    relay_dead_letter_queue_url: str = Field(
        default="", validation_alias="RELAY_DEAD_LETTER_QUEUE_URL"
    )
    allowed_origins_csv: str = Field(default="", validation_alias="ALLOWED_ORIGINS")
    aws_timeout_seconds: float = Field(default=2.0, validation_alias="AWS_TIMEOUT_SECONDS", gt=0)

    @property
    def allowed_origins(self) -> list[str]:
        """ALLOWED_ORIGINS is comma-separated, e.g. `https://a.example,https://b.example`."""
        return [origin.strip() for origin in self.allowed_origins_csv.split(",") if origin.strip()]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """One settings object per container; tests clear the cache after changing the environment."""
    return Settings.model_validate(dict(os.environ))
