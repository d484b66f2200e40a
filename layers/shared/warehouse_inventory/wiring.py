"""The one place that builds concrete objects: AWS clients, repositories and the services over
them, once per container on first use (no AWS work at import).

Each factory imports what it builds, so a function loads only the code of its own route (every
import is a cold start cost, and e.g. Powertools' idempotency utility is a big one). Free of
FastAPI, so the authorizer and the stream and queue consumers share it cheaply. Tests, the local
stack and the benchmark may replace a factory before the routes ask for it.
"""

import random
from functools import cache
from typing import TYPE_CHECKING

from warehouse_inventory.settings import get_settings

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    from warehouse_inventory.dal.audit_queue import AuditQueueSender
    from warehouse_inventory.dal.audit_repository import AuditRepository
    from warehouse_inventory.dal.projection_repository import ProjectionRepository
    from warehouse_inventory.services.inventory import InventoryService
    from warehouse_inventory.services.items import ItemService
    from warehouse_inventory.services.movements import MovementHistory
    from warehouse_inventory.services.paging import CursorCodec
    from warehouse_inventory.services.reports import ReportService
    from warehouse_inventory.services.tokens import TokenService


@cache
def inventory_service() -> "InventoryService":
    from warehouse_inventory.dal.clients import dynamodb_client
    from warehouse_inventory.dal.stock_repository import DynamoDBInventoryRepository
    from warehouse_inventory.services.inventory import InventoryService

    repository = DynamoDBInventoryRepository(dynamodb_client(), get_settings().table_name)
    return InventoryService(repository, cursor_codec())


@cache
def cursor_codec() -> "CursorCodec":
    from warehouse_inventory.services.paging import CursorCodec

    settings = get_settings()
    return CursorCodec(
        settings.cursor_secret.get_secret_value().encode(), settings.cursor_ttl_seconds
    )


@cache
def item_service() -> "ItemService":
    from warehouse_inventory.dal.clients import dynamodb_client
    from warehouse_inventory.dal.item_repository import DynamoDBItemRepository
    from warehouse_inventory.services.items import ItemService

    repository = DynamoDBItemRepository(dynamodb_client(), get_settings().table_name)
    return ItemService(repository, cursor_codec(), projection_repository().refresh_item)


@cache
def token_service() -> "TokenService":
    from warehouse_inventory.dal.clients import dynamodb_client
    from warehouse_inventory.dal.token_repository import DynamoDBTokenRepository
    from warehouse_inventory.services.tokens import TokenService

    repository = DynamoDBTokenRepository(dynamodb_client(), get_settings().tokens_table_name)
    return TokenService(repository)


@cache
def idempotency_store() -> "DynamoDBPersistenceLayer":
    """Powertools' idempotency records, in their own table (expired by TTL)."""
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    from warehouse_inventory.dal.clients import dynamodb_client

    return DynamoDBPersistenceLayer(
        table_name=get_settings().idempotency_table_name, boto3_client=dynamodb_client()
    )


@cache
def audit_repository() -> "AuditRepository":
    from warehouse_inventory.dal.audit_repository import AuditRepository
    from warehouse_inventory.dal.clients import dynamodb_client

    return AuditRepository(dynamodb_client(), get_settings().audit_table_name)


@cache
def audit_sender() -> "AuditQueueSender":
    from warehouse_inventory.dal.audit_queue import AuditQueueSender
    from warehouse_inventory.dal.clients import sqs_client

    settings = get_settings()
    return AuditQueueSender(
        sqs_client(), settings.audit_queue_url, settings.relay_dead_letter_queue_url
    )


@cache
def movement_history() -> "MovementHistory":
    from warehouse_inventory.services.movements import MovementHistory

    return MovementHistory(audit_repository(), cursor_codec())


@cache
def projection_repository() -> "ProjectionRepository":
    from warehouse_inventory.dal.clients import dynamodb_client
    from warehouse_inventory.dal.projection_repository import ProjectionRepository

    return ProjectionRepository(dynamodb_client(), get_settings().table_name)


@cache
def report_service() -> "ReportService":
    from warehouse_inventory.services.reports import ReportService

    return ReportService(projection_repository(), cursor_codec())


def forget_services() -> None:
    """A new environment (tests, the local stack, a SnapStart restore) needs fresh clients and
    services."""
    from warehouse_inventory.dal.clients import forget_clients

    get_settings.cache_clear()
    forget_clients()
    for factory in (
        cursor_codec,
        inventory_service,
        item_service,
        token_service,
        idempotency_store,
        audit_repository,
        audit_sender,
        movement_history,
        projection_repository,
        report_service,
    ):
        factory.cache_clear()


def after_restore() -> None:
    """Run by Lambda SnapStart in every environment resumed from the function's snapshot, which
    many environments share: what must be unique to one is made again. `random`'s state (the
    retry jitter) is reseeded from the OS; clients, their connections and the credentials they
    resolved, and the services holding them, are built afresh on first use. (`secrets` and
    `uuid4` read the OS's randomness each time: nothing to do for them.)"""
    random.seed()
    forget_services()


def register_restore_hook() -> bool:
    """Register `after_restore` with the runtime's SnapStart hooks (docs/operations.md,
    "SnapStart"); False where the runtime has none (the local stack, tests), which is fine:
    nothing is restored there."""
    try:
        from snapshot_restore_py import register_after_restore
    except ImportError:
        return False
    register_after_restore(after_restore)
    return True


register_restore_hook()
