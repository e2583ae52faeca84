"""Everything that talks to AWS: the session factory and the gateway (the only code making calls).

Every module of streamfabric that logs imports this package, so this is where the library's logger
``streamfabric`` gets its ``NullHandler`` (boto3 imports logging anyway, and ``import streamfabric``
stays light for ``validate``)."""

import logging

logging.getLogger("streamfabric").addHandler(logging.NullHandler())
