"""streamfabric.reports."""
