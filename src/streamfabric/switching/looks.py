"""Which flows ``status()`` describes: pure planning over what it last saw (no AWS calls here).

``status()`` reads each region's ListFlows (every flow's ``Status``, paginated) and one
GetMetricData per region; a DescribeFlow (a flow's ``Messages.Errors`` and its outputs, which the
on-air path checks read) is made only where that is not enough. ListFlows' entries (botocore's
``ListedFlow``: ``FlowArn``, ``Name``, ``Status``, ``AvailabilityZone``, ``Description``,
``SourceType``, ``Maintenance``) carry nothing of a flow's source or outputs, so a change there is
known from what else is seen: the runtime state changing (a deploy: everything is forgotten and
described again), the flow not being ACTIVE (a source or output update leaves it UPDATING), its
signal changing (CloudWatch's SourceConnected and bitrate), or its description growing old.

A flow is described when (:func:`plan_describes`, each with its reason):

* it is a hub flow (what is on air: always);
* it has not been described yet (first look), or ListFlows did not list it (gone?), or listed it
  as anything but ACTIVE;
* its last description was troubled (not ACTIVE, errors, a broken on-air path): to see it clear;
* it is on air (Live or Preview: its hop outputs are what the on-air path check reads);
* its signal verdict changed since its last description;
* otherwise, the ``budget`` stalest descriptions older than ``ttl`` seconds are renewed, so every
  flow's details are re-read within about ``ttl`` plus (flows / budget) status reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Look:
    """What one DescribeFlow showed of a flow, and when (of the Switcher's clock)."""

    response: dict[str, Any]  # DescribeFlow's response; {} when the flow was not found
    at: float
    troubled: bool = False  # not ACTIVE, with errors, or a broken on-air path from it
    has_signal: bool | None = None  # the signal verdict when it was described


def first_round(
    names: Iterable[str],
    looks: Mapping[str, Look],
    on_air: Iterable[str | None],
    now: float,
    *,
    ttl: float,
    budget: int,
) -> dict[str, str]:
    """The describes decided before any listing is read: name -> reason."""
    chosen: dict[str, str] = {}
    airing = {n for n in on_air if n}
    for name in names:
        look = looks.get(name)
        if look is None:
            chosen[name] = "first look"
        elif look.troubled:
            chosen[name] = "troubled at its last look"
        elif name in airing:
            chosen[name] = "on air"
    stale = sorted(
        (look.at, name)
        for name, look in looks.items()
        if name not in chosen and name in set(names) and now - look.at > ttl
    )
    chosen.update({name: f"older than {ttl:g} s" for _, name in stale[: max(0, budget)]})
    return chosen


def second_round(
    names: Iterable[str],
    looks: Mapping[str, Look],
    listed: Mapping[str, str | None],
    signals: Mapping[str, bool | None],
    on_air: Iterable[str | None],
    done: Iterable[str],
) -> dict[str, str]:
    """The describes the listings, the metrics and the hub flows call for (what ``done`` did not
    describe already): name -> reason. ``listed``: name -> its ListFlows ``Status`` (None: its
    region was listed and it was not there; a name missing from ``listed``: its region could not
    be listed, so it is described)."""
    skip = set(done)
    airing = {n for n in on_air if n}
    chosen: dict[str, str] = {}
    for name in names:
        if name in skip:
            continue
        if name not in listed:
            chosen[name] = "its region could not be listed"
        elif listed[name] is None:
            chosen[name] = "not listed"
        elif listed[name] != "ACTIVE":
            chosen[name] = f"listed {listed[name]}"
        elif name in airing:
            chosen[name] = "on air"
        else:
            look = looks.get(name)
            if look is not None and name in signals and signals[name] != look.has_signal:
                chosen[name] = "its signal changed"
    return chosen


def current(response: Mapping[str, Any], listed_status: str | None) -> dict[str, Any]:
    """A remembered DescribeFlow response with the flow's ``Status`` as ListFlows gives it now."""
    flow = dict(response.get("Flow") or {})
    if not flow or listed_status is None:
        return dict(response)
    flow["Status"] = listed_status
    return {**response, "Flow": flow}


__all__ = ["Look", "current", "first_round", "second_round"]
