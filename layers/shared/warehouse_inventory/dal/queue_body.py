"""The one way the audit pipeline writes an SQS message body."""

import json

from pydantic import BaseModel


def queue_body(message: BaseModel) -> str:
    """The message's JSON with every non-ASCII character escaped (`\\uXXXX`, a surrogate pair
    above U+FFFF), control characters included: SQS refuses bodies holding U+FFFE, U+FFFF or most
    C0 controls, which stored text may hold (written before the API refused them, or by another
    tool). Any JSON parser reads the escapes back into the same text."""
    return json.dumps(message.model_dump(mode="json"), ensure_ascii=True, separators=(",", ":"))
