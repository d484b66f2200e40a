"""One page of any listing: its items and where the next page starts (None on the last page).

A repository's page ends at a PageKey (DynamoDB's LastEvaluatedKey, opaque to the services);
a service's at the signed cursor the client sends back (services/paging.py turns one into the
other).
"""

from dataclasses import dataclass
from typing import Any

PageKey = dict[str, Any]


@dataclass(frozen=True)
class Page[T, Next]:
    items: list[T]
    next: Next | None
