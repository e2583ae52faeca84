"""streamfabric.topology."""
