"""Every DynamoDB and SQS detail: keys, expressions, queries, transactions, repositories.

The only package that knows the table layout; services reach it through their ports.
"""
