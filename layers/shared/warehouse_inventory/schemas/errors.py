"""The contract's error body, the same for every error of every operation."""

from pydantic import BaseModel


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: list[dict[str, object]] | None


class ErrorOut(BaseModel):
    error: ErrorDetail
    request_id: str
