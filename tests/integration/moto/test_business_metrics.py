"""The business metrics as the handlers print them (CloudWatch embedded metric format, one JSON
object per line on stdout), in the namespace and with the `service` dimension the template gives
the functions, which its alarms and dashboard read: movements by type, insufficient-stock
rejections and idempotent replays. (AuditLag: tests/integration/moto/test_audit_pipeline.py's
consumer path; its alarm and dashboard wiring: tests/unit/test_template_hardening.py.)"""

import pytest

from tests.support.api import Api
from tests.support.emf_metrics import emitted, expected_dimensions, metric_values
from warehouse_devstack.template import Template


def restock(api: Api, sku: str, quantity: int) -> None:
    body = {"sku": sku, "quantity": quantity, "location_code": "MET-1", "reference": "PO-MET"}
    assert api.call("POST", "/inventory/restock", body, token="operator").status == 201


@pytest.mark.usefixtures("metrics_on")
def test_an_insufficient_stock_pick_counts_one_rejection_and_no_movement(
    api: Api, template: Template, capsys: pytest.CaptureFixture[str]
) -> None:
    restock(api, "METRICS1", 2)
    capsys.readouterr()
    body = {"sku": "METRICS1", "quantity": 5, "location_code": "MET-1"}
    answer = api.call("POST", "/inventory/pick", body, token="operator")
    assert answer.status == 409
    assert answer.body["error"]["code"] == "insufficient_stock"
    records = emitted(capsys.readouterr().out)
    assert metric_values(records, "InsufficientStockRejections") == [
        (expected_dimensions(template), [1.0])
    ]
    assert metric_values(records, "Movements") == []


@pytest.mark.usefixtures("metrics_on")
def test_other_errors_count_no_rejection(api: Api, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    body = {"sku": "NOSUCHSKU9", "quantity": 1, "location_code": "MET-1"}
    assert api.call("POST", "/inventory/pick", body, token="operator").status == 404
    assert metric_values(emitted(capsys.readouterr().out), "InsufficientStockRejections") == []


@pytest.mark.usefixtures("metrics_on")
def test_a_movement_counts_under_its_type(
    api: Api, template: Template, capsys: pytest.CaptureFixture[str]
) -> None:
    restock(api, "METRICS2", 4)
    pick = {"sku": "METRICS2", "quantity": 1, "location_code": "MET-1"}
    assert api.call("POST", "/inventory/pick", pick, token="operator").status == 200
    movements = metric_values(emitted(capsys.readouterr().out), "Movements")
    dimensions = expected_dimensions(template)
    assert movements == [
        (dimensions | {"movement_type": "restock"}, [1.0]),
        (dimensions | {"movement_type": "pick"}, [1.0]),
    ]


@pytest.mark.usefixtures("metrics_on")
def test_an_idempotent_replay_counts_one_replay(
    api: Api, template: Template, capsys: pytest.CaptureFixture[str]
) -> None:
    body = {"sku": "METRICS3", "quantity": 1, "location_code": "MET-1", "reference": "PO-MET"}
    key = [("Idempotency-Key", "metrics-replay-1")]
    first = api.call("POST", "/inventory/restock", body, token="operator", headers=key)
    capsys.readouterr()
    replay = api.call("POST", "/inventory/restock", body, token="operator", headers=key)
    assert (first.status, replay.status) == (201, 201)
    assert replay.headers.get("idempotent-replayed") == "true"
    records = emitted(capsys.readouterr().out)
    assert metric_values(records, "IdempotentReplays") == [(expected_dimensions(template), [1.0])]
    assert metric_values(records, "Movements") == []  # the replay moved nothing
