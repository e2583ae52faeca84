"""Execution: :mod:`.executor` runs a plan's instructions through the AWS gateway (each instruction's
request in :mod:`.requests`, references resolved by :mod:`.resolver`, stacks through change sets in
:mod:`.stacks`); :mod:`.display` shows a plan instead (``--dry-run``); :mod:`.review` asks CloudFormation
about a plan's stacks before anything changes (the on-air guard judges its answers)."""
