"""Powertools Logger and Metrics shared by every function (service and namespace from the env)."""

from aws_lambda_powertools import Logger, Metrics, single_metric
from aws_lambda_powertools.metrics import MetricUnit

logger = Logger()
metrics = Metrics()


def count_movement(kind: str) -> None:
    """Business metric: movements by type, as its own EMF record so the dimension stays local."""
    with single_metric(name="Movements", unit=MetricUnit.Count, value=1) as metric:
        metric.add_dimension(name="movement_type", value=kind)
