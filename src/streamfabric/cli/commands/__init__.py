"""One module per CLI command, each with ``run(args) -> int``. Only formatting and exit codes live here."""
