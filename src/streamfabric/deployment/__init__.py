"""Deploy and destroy: observe remote state, plan (pure), execute (the only side effects).

>>> result = deploy(model, network="cloudformation")          # doctest: +SKIP
>>> destroy(model)                                             # doctest: +SKIP

Modules, one concern each: :mod:`.manifest` (the stacks to deploy), :mod:`.network` (network
outputs), :mod:`.parameters` (stack parameters), :mod:`.remote` (observation),
:mod:`.plan` (instructions), :mod:`.planner` / :mod:`.poststeps` / :mod:`.destroy` (pure planners),
:mod:`.retire` (the retire and clean-up phases), :mod:`.guard` (the on-air guard),
:mod:`.inventory` (what was made, wherever it is), :mod:`.executor` (+ display-only),
:mod:`.stacks` (change sets), :mod:`.waiters`, :mod:`.state` (runtime state document),
:mod:`.progress` (reporters), :mod:`.workflow` (deploy / destroy).
"""

from __future__ import annotations

from .executor import DisplayOnlyExecutor, Executor
from .network import NetworkOutputs, RegionNetwork, load_terraform_outputs
from .plan import Phase, Plan
from .progress import LiveReporter, NullReporter, PlainReporter, Reporter, make_reporter
from .stacks import StackEvent, StackFailed
from .workflow import DeployResult, DestroyResult, deploy, destroy

__all__ = [
    "DeployResult",
    "DestroyResult",
    "DisplayOnlyExecutor",
    "Executor",
    "LiveReporter",
    "NetworkOutputs",
    "NullReporter",
    "Phase",
    "PlainReporter",
    "Plan",
    "RegionNetwork",
    "Reporter",
    "StackEvent",
    "StackFailed",
    "deploy",
    "destroy",
    "load_terraform_outputs",
    "make_reporter",
]
