"""Deploy, plan and destroy: one pipeline (:mod:`.pipeline`) of observe → plan (pure) → execute.

>>> result = deploy(model, network="cloudformation")          # doctest: +SKIP
>>> destroy(model)                                             # doctest: +SKIP

The package reads in the order a deploy runs: the inputs (:mod:`.manifest`, the stacks rendered;
:mod:`.network`, the network's ids; :mod:`.api_code` / :mod:`.api_package`, the control API's
Lambda package), :mod:`.observe` (every read of what exists, through :mod:`.reads`, into the data of
:mod:`.observed`), :mod:`.plan` (pure: instructions as data — stacks, post-steps, retire, destroy,
the on-air guard), :mod:`.execute` (the executor, the only code that changes anything; its
display-only and preview twins), and :mod:`.results` (what the commands return), with
:mod:`.progress` reporting along the way.
"""

from __future__ import annotations

from .execute.display import DisplayOnlyExecutor
from .execute.executor import Executor
from .execute.stacks import StackEvent, StackFailed
from .network import NetworkOutputs, RegionNetwork, load_terraform_outputs
from .pipeline import deploy, destroy, preview
from .plan.instructions import Phase, Plan
from .progress import LiveReporter, NullReporter, PlainReporter, Reporter, make_reporter
from .results import DeployResult, DestroyResult, PlanPreview

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
    "PlanPreview",
    "RegionNetwork",
    "Reporter",
    "StackEvent",
    "StackFailed",
    "deploy",
    "destroy",
    "load_terraform_outputs",
    "make_reporter",
    "preview",
]
