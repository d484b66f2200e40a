"""Single-table key layout of the inventory table (attribute and index names match template.yaml):
the one module that spells a key, so the one to read with the table.

| record | pk         | sk              | type_pk / type_sk  | loc_pk / loc_sk      |
|--------|------------|-----------------|--------------------|----------------------|
| item   | SKU#<sku>  | ITEM            | ITEM / <sku>       | -                    |
| stock  | SKU#<sku>  | STOCK#<loc>     | STOCK / <sku>#<loc>| LOC#<loc> / <sku>    |
| marker | SKU#<sku>  | PROJ#<loc>      | -                  | -                    |
| summary| LOCATION#<loc> | SUMMARY     | LOCATION / <loc>   | -                    |

Items also carry the projections `total_quantity` (with `projected_versions`) and, only while
low on stock, `low_pk`/`low_sk` (the sparse `low_stock` index), and `stock_records`, which
every restock and adjust bumps (the delete is conditional on it). Markers make the projections
idempotent (see projection_repository.py).

`<loc>` is empty for unassigned stock, which is then absent from the sparse by_location index.
"""

from typing import Any

SKU_PK_PREFIX = "SKU#"
ITEM_SK = "ITEM"
STOCK_SK_PREFIX = "STOCK#"
PROJECTION_SK_PREFIX = "PROJ#"
PROJECTION_SK_END = "PROJ$"
"""Above every marker's sort key ("$" follows "#"), below every stock record's."""
LOCATION_PK_PREFIX = "LOCATION#"
SUMMARY_SK = "SUMMARY"
LOCATION_INDEX_PK_PREFIX = "LOC#"
LOCATION_TYPE = "LOCATION"
LOW_STOCK_INDEX = "low_stock"
LOW_STOCK = "LOW"
STOCK_TYPE = "STOCK"
ITEM_TYPE = "ITEM"
BY_TYPE_INDEX = "by_type"
BY_LOCATION_INDEX = "by_location"
UNASSIGNED_SORT = "~"
"""Index sort key of unassigned stock's summary: index keys cannot be empty, codes never hold ~."""


def sku_pk(sku: str) -> str:
    return f"{SKU_PK_PREFIX}{sku}"


def stock_key(sku: str, location_code: str | None) -> dict[str, Any]:
    return {"pk": {"S": sku_pk(sku)}, "sk": {"S": f"{STOCK_SK_PREFIX}{location_code or ''}"}}


def projection_marker_key(sku: str, location_code: str | None) -> dict[str, Any]:
    """Per (sku, location): the last stock change the projections took in ({quantity, version})."""
    return {
        "pk": {"S": sku_pk(sku)},
        "sk": {"S": f"{PROJECTION_SK_PREFIX}{location_code or ''}"},
    }


def location_summary_key(location_code: str | None) -> dict[str, Any]:
    return {"pk": {"S": f"{LOCATION_PK_PREFIX}{location_code or ''}"}, "sk": {"S": SUMMARY_SK}}


def item_key(sku: str) -> dict[str, Any]:
    return {"pk": {"S": sku_pk(sku)}, "sk": {"S": ITEM_SK}}


def location_index_pk(location_code: str) -> str:
    """The by_location index partition of a location's stock records."""
    return f"{LOCATION_INDEX_PK_PREFIX}{location_code}"


def stock_index_attributes(sku: str, location_code: str | None) -> dict[str, str]:
    """Index keys a stock record carries; the location index is sparse (no unassigned stock)."""
    keys = {"type_pk": STOCK_TYPE, "type_sk": f"{sku}#{location_code or ''}"}
    if location_code:
        keys |= {"loc_pk": location_index_pk(location_code), "loc_sk": sku}
    return keys


INDEX_KEYS = {
    BY_TYPE_INDEX: ["type_pk", "type_sk"],
    BY_LOCATION_INDEX: ["loc_pk", "loc_sk"],
    LOW_STOCK_INDEX: ["low_pk", "low_sk"],
}


def index_key_names(index: str) -> list[str]:
    """The attributes of a LastEvaluatedKey when querying `index`: table keys + index keys."""
    return ["pk", "sk", *INDEX_KEYS[index]]


def is_stock_record(sort_key: str) -> bool:
    return sort_key.startswith(STOCK_SK_PREFIX)


def stock_location(sort_key: str) -> str:
    """The location code a stock record's sort key names ("" for unassigned stock)."""
    return sort_key.removeprefix(STOCK_SK_PREFIX)


def is_projection_marker(sort_key: str) -> bool:
    return sort_key.startswith(PROJECTION_SK_PREFIX)


def marker_location(sort_key: str) -> str:
    return sort_key.removeprefix(PROJECTION_SK_PREFIX)


def is_location_summary(sort_key: str) -> bool:
    return sort_key == SUMMARY_SK


def summary_location(partition_key: str) -> str:
    return partition_key.removeprefix(LOCATION_PK_PREFIX)


def partition_sku(partition_key: str) -> str:
    """The SKU of a record in a SKU's partition (its item, stock records and markers)."""
    return partition_key.removeprefix(SKU_PK_PREFIX)
