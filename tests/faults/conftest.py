"""The deployed festival of tests/switching, for the fault tests too."""

from switching.conftest import on_air_reset, world  # noqa: F401  (fixtures; tests/ is on sys.path)
