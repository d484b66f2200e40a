"""TokenRepository on the tokens table: keyed by the secret's hash, so the authorizer's lookup is
one consistent GetItem; the sparse `active` index lists live tokens and finds one by id."""

import hmac
from datetime import datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from warehouse_inventory.dal.dynamodb import (
    aws_errors_as_domain_errors,
    from_item,
    is_condition_failure,
    query_all,
    to_attribute_values,
)
from warehouse_inventory.dal.expressions import Expression
from warehouse_inventory.domain.access import Role
from warehouse_inventory.domain.errors import NotFound
from warehouse_inventory.domain.tokens import ApiToken

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

ACTIVE_INDEX = "active"
ACTIVE = "ACTIVE"


def api_token(item: dict[str, Any]) -> ApiToken:
    record = from_item(item)
    revoked = record.get("revoked_at")
    return ApiToken(
        token_id=record["token_id"],
        name=record["name"],
        role=Role(record["role"]),
        created_at=datetime.fromisoformat(record["created_at"]),
        revoked_at=datetime.fromisoformat(revoked) if revoked else None,
    )


class DynamoDBTokenRepository:
    def __init__(self, client: "DynamoDBClient", table_name: str) -> None:
        self._client = client
        self._table = table_name

    def add(self, token: ApiToken, secret_hash: str) -> None:
        item = {
            "token_hash": secret_hash,
            "token_id": token.token_id,
            "name": token.name,
            "role": str(token.role),
            "created_at": token.created_at.isoformat(),
            "status": ACTIVE,
        }
        try:
            with aws_errors_as_domain_errors():
                self._client.put_item(
                    TableName=self._table,
                    Item=to_attribute_values(item),
                    ConditionExpression="attribute_not_exists(token_hash)",
                )
        except ClientError as exc:
            # Secrets are 256 random bits, so the hash being there already means an SDK retry
            # of this very PutItem after its first attempt was stored: done, not a failure.
            if not is_condition_failure(exc):
                raise

    def find_by_hash(self, secret_hash: str) -> ApiToken | None:
        with aws_errors_as_domain_errors():
            response = self._client.get_item(
                TableName=self._table,
                Key={"token_hash": {"S": secret_hash}},
                ConsistentRead=True,  # a revoked token is refused at once
            )
        item = response.get("Item")
        # The key lookup already matched; compare again in constant time as defence in depth.
        if not item or not hmac.compare_digest(item["token_hash"]["S"], secret_hash):
            return None
        return api_token(item)

    def list_active(self) -> list[ApiToken]:
        return [api_token(item) for item in self._query_active()]

    def revoke(self, token_id: str, now: datetime) -> None:
        items = self._query_active(token_id)
        if not items:
            raise NotFound(f"Token {token_id} is not known or already revoked.")
        expression = Expression().set("revoked_at", now.isoformat()).remove("status")
        condition = f"attribute_exists({expression.name('status')})"
        key = {"token_hash": items[0]["token_hash"]}
        try:
            with aws_errors_as_domain_errors():
                self._client.update_item(**expression.update(self._table, key, condition))
        except ClientError as exc:
            if is_condition_failure(exc):
                raise NotFound(f"Token {token_id} is already revoked.") from exc
            raise

    def _query_active(self, token_id: str | None = None) -> list[dict[str, Any]]:
        condition = "#status = :active" + (" AND token_id = :id" if token_id else "")
        values = {":active": {"S": ACTIVE}} | ({":id": {"S": token_id}} if token_id else {})
        query = {
            "TableName": self._table,
            "IndexName": ACTIVE_INDEX,
            "KeyConditionExpression": condition,
            "ExpressionAttributeNames": {"#status": "status"},
            "ExpressionAttributeValues": values,
        }
        return list(query_all(self._client, query))
