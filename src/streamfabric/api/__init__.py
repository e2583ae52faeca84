"""The control API: an API Gateway + Lambda backend on aws-lambda-powertools, and a local server."""
