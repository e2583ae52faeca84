"""Let a package be called as its main function: ``from streamfabric import deploy, render`` then
``deploy(model)`` / ``render(model)``, while ``streamfabric.deploy.PlainReporter`` and
``import streamfabric.render.api`` keep working.

``streamfabric.deploy`` and ``streamfabric.render`` are both a subpackage and the function a library
user wants. Python's import system sets the parent's attribute to the submodule whenever the
submodule is first imported, so a plain re-export of the function in ``streamfabric/__init__.py``
would be replaced by the module as soon as anything imports it. Making the module object callable
gives one answer whatever was imported first.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Callable
from typing import Any


def make_callable(module_name: str, function: Callable[..., Any]) -> None:
    """Calling the module ``module_name`` calls ``function``."""
    module = sys.modules[module_name]

    class CallableModule(types.ModuleType):
        __call__ = staticmethod(function)

    CallableModule.__name__ = CallableModule.__qualname__ = f"CallableModule[{module_name}]"
    module.__class__ = CallableModule
