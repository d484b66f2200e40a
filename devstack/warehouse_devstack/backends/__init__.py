"""The AWS services the local stack stands in for: DynamoDB Local, moto's SQS server, the
template's tables and queues in them, and where `sam local` containers reach them."""
