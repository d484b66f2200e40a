"""Stream records of stock writes as the relay gets them, and the queues it feeds, read empty."""

from typing import Any

import boto3


def queue_url(name: str = "AuditQueue") -> str:
    return boto3.client("sqs").get_queue_url(QueueName=name)["QueueUrl"]


def drain(name: str = "AuditQueue") -> list[dict[str, Any]]:
    sqs, url = boto3.client("sqs"), queue_url(name)
    messages: list[dict[str, Any]] = []
    while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        messages += [dict(message) for message in batch]
        sqs.delete_message_batch(
            QueueUrl=url,
            Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)
            ],
        )
    return messages


def stock_image(sku: str, quantity: int, version: int, kind: str = "restock") -> dict[str, Any]:
    return {
        "pk": {"S": f"SKU#{sku}"},
        "sk": {"S": "STOCK#A-1"},
        "sku": {"S": sku},
        "location_code": {"S": "A-1"},
        "quantity": {"N": str(quantity)},
        "version": {"N": str(version)},
        "updated_at": {"S": "2026-11-27T12:00:00+00:00"},
        "last_movement": {
            "M": {
                "type": {"S": kind},
                "actor": {"S": "scanner"},
                "request_id": {"S": f"req-{version}"},
                "occurred_at": {"S": "2026-11-27T12:00:00+00:00"},
            }
        },
    }


def stream_record(
    seq: int, name: str, new: dict[str, Any], old: dict[str, Any] | None
) -> dict[str, Any]:
    change: dict[str, Any] = {"Keys": {"pk": new["pk"], "sk": new["sk"]}, "NewImage": new}
    change |= {"SequenceNumber": str(seq), "StreamViewType": "NEW_AND_OLD_IMAGES"}
    if old:
        change["OldImage"] = old
    return {"eventName": name, "eventSource": "aws:dynamodb", "dynamodb": change}
