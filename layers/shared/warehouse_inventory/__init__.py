"""Shared code of the warehouse inventory API, shipped to every function as one Lambda layer."""

__version__ = "0.1.0"
