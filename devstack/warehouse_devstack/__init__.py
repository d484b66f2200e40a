"""The local stack: DynamoDB Local, an API Gateway emulator and the handlers, from template.yaml."""
