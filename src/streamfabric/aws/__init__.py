"""Everything that talks to AWS: the session factory and the gateway (the only code making calls)."""
