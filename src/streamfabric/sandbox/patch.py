"""One patch of moto: what it replaces, with what, why, and how to apply and check it.

A :class:`Patch` names its moto target as ``"module:Qualified.name"`` and records a fingerprint of
that target as the pinned moto (5.2.1) has it: the ``inspect.signature`` of a function or method
we wrap or replace, ``absent`` for an attribute, dict key or CloudFormation type we add, the model
moto has for a CloudFormation type we take over. :func:`problems` compares the recorded fingerprints
with the installed moto's (tests/sandbox/test_patching.py, in an interpreter where nothing is
installed yet): a moto that changed something we patch fails there, not in a deploy.

Patches are applied by :mod:`.patching` in the order of its registry. Each application is
idempotent: a wrapper carries the ids of the patches in its stack (:data:`MARK`), so a patch wraps
again only what it has not wrapped (say, a function someone put in its place).
"""

from __future__ import annotations

import enum
import functools
import hashlib
import importlib
import inspect
import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

MARK = "_streamfabric_patches"  # on a wrapper: the ids of the patches in its stack, innermost first
ABSENT = "absent"


class How(enum.Enum):
    """How a patch changes its target."""

    WRAP = "wrap"  # a method or module function: calls become replacement(original, *args, **kwargs)
    WRAP_CLASSMETHOD = "wrap classmethod"  # likewise, original = the classmethod bound to its class
    REPLACE = "replace"  # an attribute moto has is set to the replacement
    ADD = "add"  # an attribute moto lacks is set to the replacement
    ADD_ITEM = "add item"  # the target is a dict; the key, which moto's lacks, maps to the replacement
    EDIT = "edit"  # the target is a dict; replacement(target) rewrites it in place
    MODEL = "model"  # the replacement is the CloudFormation model moto's stacks use for type ``key``
    PROVIDER = "provider"  # the replacement subclasses the target's class, a hook moto finds that way


@dataclass(frozen=True, slots=True)
class Patch:
    """One entry of the registry (see the module docstring)."""

    how: How
    target: str  # "moto.module:Qualified.name"
    replacement: Any
    why: str  # the AWS page the behaviour follows, or "speed, not behaviour"
    original: str  # the fingerprint of the target in the pinned moto
    key: str = ""  # ADD_ITEM: the dict key; MODEL: the CloudFormation resource type
    when: Callable[[], bool] | None = None  # applied only where this holds (e.g. libyaml present)
    id: str = ""  # set by :func:`numbered`

    @property
    def module(self) -> str:
        return self.target.split(":", 1)[0]

    @property
    def path(self) -> list[str]:
        return self.target.split(":", 1)[1].split(".")


def numbered(patches: tuple[Patch, ...]) -> tuple[Patch, ...]:
    """Give each patch its id: its target (and key), with ``#n`` for the n-th patch of one target."""
    seen: dict[str, int] = {}
    done = []
    for patch in patches:
        name = f"{patch.target}[{patch.key}]" if patch.key else patch.target
        seen[name] = seen.get(name, 0) + 1
        identity = name if seen[name] == 1 else f"{name}#{seen[name]}"
        done.append(Patch(patch.how, patch.target, patch.replacement, patch.why, patch.original,
                          patch.key, patch.when, identity))  # fmt: skip
    return tuple(done)


# --- resolving targets ---------------------------------------------------------------------------


class MissingTarget(LookupError):
    """A patch's target (its module, or an owner on its qualified name) does not exist."""


def owner_of(target: str) -> tuple[Any, str]:
    """The object holding the target's last name (a module or a class), and that name."""
    module_name, qualified = target.split(":", 1)
    try:
        owner: Any = importlib.import_module(module_name)
    except ImportError as err:
        raise MissingTarget(f"{target}: no module {module_name}") from err
    *owners, name = qualified.split(".")
    for part in owners:
        if not hasattr(owner, part):
            raise MissingTarget(f"{target}: {part} does not exist")
        owner = getattr(owner, part)
    return owner, name


def resolve(target: str) -> Any:
    owner, name = owner_of(target)
    if not hasattr(owner, name):
        raise MissingTarget(f"{target}: {name} does not exist")
    return getattr(owner, name)


def signature(value: Any) -> str:
    """The fingerprint of a value: a callable's signature, a property's getter's, a module's name."""
    if isinstance(value, property):
        return f"property {signature(value.fget)}"
    if isinstance(value, types.ModuleType):
        return f"module {value.__name__}"
    if isinstance(value, dict):
        digest = hashlib.sha256(repr(sorted(map(str, value))).encode()).hexdigest()[:16]
        return f"dict of {len(value)} keys {digest}"
    if callable(value):
        return str(inspect.signature(value))
    return type(value).__qualname__


def _moto_model(resource_type: str) -> str:
    """The qualified name of moto's own model for a CloudFormation type (``absent``: none)."""
    importlib.import_module("moto.cloudformation.parsing")  # imports the models moto's stacks use
    base = resolve("moto.core.common_models:CloudFormationModel")
    found = ABSENT
    for model in base.__subclasses__():  # the last one wins, as in moto's get_model_map
        if model.__module__.startswith("moto.") and model.cloudformation_type() == resource_type:
            found = f"{model.__module__}.{model.__qualname__}"
    return found


def fingerprint(patch: Patch) -> str:
    """The patch's target as the installed moto has it (before anything is installed)."""
    if patch.how is How.MODEL:
        return _moto_model(patch.key)
    owner, name = owner_of(patch.target)
    if not hasattr(owner, name):
        return ABSENT
    value = getattr(owner, name)
    if patch.how is How.ADD_ITEM:
        return ABSENT if patch.key not in value else f"present: {signature(value[patch.key])}"
    if patch.how is How.ADD:
        return f"present: {signature(value)}"
    return signature(value)


def problems(patches: tuple[Patch, ...]) -> list[str]:
    """Each patch whose target does not exist or whose fingerprint is not the recorded one."""
    found = []
    for patch in patches:
        try:
            now = fingerprint(patch)
        except MissingTarget as err:
            found.append(f"{patch.id}: the target does not exist ({err})")
            continue
        if now != patch.original:
            found.append(f"{patch.id}: moto has {now!r}, the registry records {patch.original!r}")
    return found


# --- applying ------------------------------------------------------------------------------------


def _marks(value: Any) -> tuple[str, ...]:
    marks: tuple[str, ...] = getattr(value, MARK, ())
    return marks


def _wrap(patch: Patch, owner: Any, name: str) -> None:
    original = getattr(owner, name)
    if patch.id in _marks(original):
        return
    wrapper = patch.replacement

    @functools.wraps(original)
    def patched(*args: Any, **kwargs: Any) -> Any:
        return wrapper(original, *args, **kwargs)

    setattr(patched, MARK, (*_marks(original), patch.id))
    setattr(owner, name, patched)


def _wrap_classmethod(patch: Patch, owner: Any, name: str) -> None:
    plain = inspect.getattr_static(owner, name).__func__
    if patch.id in _marks(plain):
        return
    wrapper = patch.replacement

    @functools.wraps(plain)
    def patched(cls: type, /, *args: Any, **kwargs: Any) -> Any:
        return wrapper(functools.partial(plain, cls), *args, **kwargs)

    setattr(patched, MARK, (*_marks(plain), patch.id))
    setattr(owner, name, classmethod(patched))


def _register_model(patch: Patch) -> None:
    """moto's CloudFormation finds models among the direct subclasses of ``CloudFormationModel``
    (``parsing.get_model_map``, cached), the last one declaring a type winning: defining the model
    after moto's registered it; drop the caches, and check that moto's stacks now use it."""
    parsing = importlib.import_module("moto.cloudformation.parsing")
    for cached in (parsing.get_model_list, parsing.get_model_map, parsing.get_name_type_map):
        cached.cache_clear()
    if parsing.get_model_map().get(patch.key) is not patch.replacement:
        raise RuntimeError(f"moto's CloudFormation did not pick up {patch.key}")


def apply(patch: Patch) -> None:
    """Apply one patch (idempotent)."""
    if patch.when is not None and not patch.when():
        return
    if patch.how is How.MODEL:
        _register_model(patch)
        return
    owner, name = owner_of(patch.target)
    if patch.how is How.WRAP:
        _wrap(patch, owner, name)
    elif patch.how is How.WRAP_CLASSMETHOD:
        _wrap_classmethod(patch, owner, name)
    elif patch.how in (How.REPLACE, How.ADD):
        if inspect.getattr_static(owner, name, None) is not patch.replacement:
            setattr(owner, name, patch.replacement)
    elif patch.how is How.ADD_ITEM:
        getattr(owner, name)[patch.key] = patch.replacement
    elif patch.how is How.EDIT:
        patch.replacement(getattr(owner, name))
    elif patch.how is How.PROVIDER and patch.replacement not in owner.__subclasses__():
        raise RuntimeError(f"{patch.replacement.__qualname__} does not subclass {owner.__qualname__}")
