"""The cold start baseline: the barest useful handler, a boto3 DynamoDB client and one GetItem.

Run exactly like the API functions (fresh process, same sys.path and environment), so the ratio
of a function to this is what the function adds to what any Python Lambda on DynamoDB pays.
"""

import os
from typing import Any

import boto3

client = boto3.client("dynamodb")


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    response = client.get_item(
        TableName=os.environ["TABLE_NAME"],
        Key={"pk": {"S": "SKU#WIDGET1"}, "sk": {"S": "ITEM"}},
    )
    return {"statusCode": 200 if "Item" in response else 404, "body": "{}"}
