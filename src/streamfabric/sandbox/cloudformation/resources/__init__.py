"""CloudFormation resource models moto lacks or gets wrong, one module per resource family."""
