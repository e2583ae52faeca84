"""The drivers on top of the library: the ``streamfabric`` command (:mod:`.main`, one module per
subcommand under :mod:`.commands`), its output conventions (:mod:`.output`), the demo, the emulator
seeded for a topology (``sandbox serve``), the pre-commit hooks' entry points and the runner of the
terraform binary. Nothing below this package imports it."""
