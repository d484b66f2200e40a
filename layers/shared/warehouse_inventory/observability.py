"""Powertools Logger and Metrics shared by every function (service and namespace from the env)."""

from aws_lambda_powertools import Logger, Metrics

logger = Logger()
metrics = Metrics()
