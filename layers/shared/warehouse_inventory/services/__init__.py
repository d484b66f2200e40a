"""Use cases, and the repository Protocols they need (ports.py): no FastAPI, boto3 or Lambda.

The data layer implements the ports; wiring.py hands the services their repositories.
"""
