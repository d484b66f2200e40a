"""API Gateway for the local stack: the HTTP server, the REST API's routing and proxy events, and
the TOKEN authorizer, as API Gateway runs them."""
