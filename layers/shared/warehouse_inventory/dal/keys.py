"""Single-table key layout of the inventory table (attribute and index names match template.yaml).

| record | pk         | sk              | type_pk / type_sk  | loc_pk / loc_sk      |
|--------|------------|-----------------|--------------------|----------------------|
| item   | SKU#<sku>  | ITEM            | ITEM / <sku>       | -                    |
| stock  | SKU#<sku>  | STOCK#<loc>     | STOCK / <sku>#<loc>| LOC#<loc> / <sku>    |
| marker | SKU#<sku>  | PROJ#<loc>      | -                  | -                    |
| summary| LOCATION#<loc> | SUMMARY     | LOCATION / <loc>   | -                    |

Items also carry the projections `total_quantity` (with `projected_versions`) and, only while
low on stock, `low_pk`/`low_sk` (the sparse `low_stock` index), and `stock_records`, which
every restock and adjust bumps (the delete is conditional on it). Markers make the projections
idempotent (see projections.py).

`<loc>` is empty for unassigned stock, which is then absent from the sparse by_location index.
"""

from typing import Any

ITEM_SK = "ITEM"
PROJECTION_SK_PREFIX = "PROJ#"
PROJECTION_SK_END = "PROJ$"
"""Above every marker's sort key ("$" follows "#"), below every stock record's."""
LOCATION_TYPE = "LOCATION"
LOW_STOCK_INDEX = "low_stock"
LOW_STOCK = "LOW"
STOCK_SK_PREFIX = "STOCK#"
STOCK_TYPE = "STOCK"
ITEM_TYPE = "ITEM"
BY_TYPE_INDEX = "by_type"
BY_LOCATION_INDEX = "by_location"


def sku_pk(sku: str) -> str:
    return f"SKU#{sku}"


def stock_key(sku: str, location_code: str | None) -> dict[str, Any]:
    return {"pk": {"S": sku_pk(sku)}, "sk": {"S": f"{STOCK_SK_PREFIX}{location_code or ''}"}}


def projection_marker_key(sku: str, location_code: str | None) -> dict[str, Any]:
    """Per (sku, location): the last stock change the projections took in ({quantity, version})."""
    return {
        "pk": {"S": sku_pk(sku)},
        "sk": {"S": f"{PROJECTION_SK_PREFIX}{location_code or ''}"},
    }


UNASSIGNED_SORT = "~"
"""Index sort key of unassigned stock's summary: index keys cannot be empty, codes never hold ~."""


def location_summary_key(location_code: str | None) -> dict[str, Any]:
    return {"pk": {"S": f"LOCATION#{location_code or ''}"}, "sk": {"S": "SUMMARY"}}


def item_key(sku: str) -> dict[str, Any]:
    return {"pk": {"S": sku_pk(sku)}, "sk": {"S": ITEM_SK}}


def stock_index_attributes(sku: str, location_code: str | None) -> dict[str, str]:
    """Index keys a stock record carries; the location index is sparse (no unassigned stock)."""
    keys = {"type_pk": STOCK_TYPE, "type_sk": f"{sku}#{location_code or ''}"}
    if location_code:
        keys |= {"loc_pk": f"LOC#{location_code}", "loc_sk": sku}
    return keys


def index_key_names(index: str) -> list[str]:
    """The attributes of a LastEvaluatedKey when querying `index`: table keys + index keys."""
    return ["pk", "sk"] + (
        ["type_pk", "type_sk"] if index == BY_TYPE_INDEX else ["loc_pk", "loc_sk"]
    )
