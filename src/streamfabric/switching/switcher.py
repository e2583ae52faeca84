"""switch / take: re-point the hub's Live or Preview srt-caller source at an ingest's private listener.

The hot path is one ``UpdateFlowSource`` call per switched flow, with only ``FlowArn``, ``SourceArn``,
``SourceListenerAddress`` and ``SourceListenerPort`` (a partial update: protocol, VPC interface and
decryption stay as the post-steps set them). Addresses and ARNs come from the runtime state.

What is on air and each ingest's health are *known* rather than looked up on every switch:
- the Switcher remembers what it put on air, and learns it from ``status()``; it describes a hub flow
  only when it does not know yet (the first call of a process), or when ``expected`` is given — a
  compare-and-set must compare against the truth, so it reads it (MediaConnect has no conditional
  update; the window between that read and the update is the only race left, and the audit log
  records both switches);
- an ingest's ACTIVE check uses health seen within ``health_ttl`` seconds (``status()`` feeds it; the
  panel polls it), else one describe of that ingest's flow;
- an ingest's signal (connected, bitrate, video encoding vs what the target carries:
  :mod:`.signal`) uses what ``status()`` read within the monitor's TTLs, else one GetMetricData and
  one DescribeFlowSourceMetadata (and one of the target, when its encoding is not known).
A long-lived Switcher (the Lambda's warm container, ``streamfabric serve``, a script) therefore makes
exactly one MediaConnect call per switch.

It stays fresh (:mod:`.freshness`): the runtime state is re-read when it changed (at most every
``state_ttl`` seconds, at once when a flow points at an address it does not know or an ingest name is
unknown), and what is on air is re-read from AWS when another Switcher wrote to the shared audit log
since this one last knew it — so no Switcher answers "unchanged" to a switch another one made stale,
or writes a wrong ``from``. A source update may leave the flow UPDATING; the next update of that
flow waits it out, bounded (:mod:`.updating`).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import boto3

from ..aws.gateway import AwsGateway
from ..errors import (
    AwsError,
    ConflictError,
    IngestNotActiveError,
    SignalCheckError,
    SwitchError,
    UnknownIngestError,
)
from ..state.runtime import RuntimeState, default_audit_uri
from ..topology.model import HUB_ROLES, HubRole, Topology
from .audit import AuditLog, AuditRecord, open_audit_log
from .checks import flow_errors, path_problems
from .freshness import AuditWatch, StateSource, deployed_topology
from .observe import observe_flows
from .results import SwitchResult, TakeResult
from .signal import SignalMonitor
from .status import HubStatus, Status, hub_status, ingest_health
from .updating import StillUpdatingError, await_applied, update_source


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


class Switcher:
    """switch / take / status / history for one deployed topology."""

    def __init__(
        self,
        topology: Topology,
        *,
        session: boto3.session.Session | None = None,
        gateway: AwsGateway | None = None,
        state: RuntimeState | None = None,
        audit: AuditLog | None = None,
        health_ttl: float = 15.0,
        clock: Callable[[], float] = time.monotonic,
        caller: str | None = None,
        status_ttl: float = 0.0,
        state_ttl: float = 5.0,
        settle_attempts: int = 20,
        signals: SignalMonitor | None = None,
    ) -> None:
        self.topology = topology
        self.gateway = gateway or AwsGateway(session)
        self._state = state  # given: fixed; else read from its URI by ``_source``
        self._source: StateSource | None = None
        self._state_seen: RuntimeState | None = None
        self.state_ttl = state_ttl
        self.settle_attempts = settle_attempts
        self.audit = audit or open_audit_log(default_audit_uri(topology), self.gateway)
        self._watch = AuditWatch(self.audit, self.gateway)
        self.health_ttl = health_ttl
        self.clock = clock
        self._caller = caller
        self._lock = threading.RLock()
        self._on_air: dict[HubRole, str | None] = {}
        self._health: dict[str, tuple[str, float]] = {}  # ingest -> (flow status, seen at)
        # A server polled by several panels answers from one status read per ``status_ttl`` seconds
        # (MediaConnect's API allows ~5 requests/s); any switch or take invalidates it.
        self.status_ttl = status_ttl
        self._status: tuple[Status, float] | None = None
        # role -> (params of this process's last UpdateFlowSource of it, when): a take waits for them
        self._updates: dict[HubRole, tuple[dict[str, Any], float]] = {}
        self.settle_window = 30.0
        self._topology_tried: str | None = None
        self.signals = signals or SignalMonitor(self.gateway, clock=clock)

    # -- state --------------------------------------------------------------------------------
    @property
    def state(self) -> RuntimeState:
        """The latest deployed runtime state (re-read when it changed, see :mod:`.freshness`)."""
        if self._state is not None:
            return self._state
        if self._source is None:
            from ..state.store import state_uri

            self._source = StateSource(self.gateway, state_uri(self.topology), ttl=self.state_ttl,
                                       clock=self.clock)  # fmt: skip
        state = self._source.get()
        if state is not self._state_seen:
            with self._lock:  # another deployment: what was known under the old state is not
                if self._state_seen is not None:
                    self._on_air.clear()
                    self._health.clear()
                    self._status = None
                self._state_seen = state
        return state

    def refresh_state(self) -> bool:
        """Re-read the runtime state now (if it is read from a URI); True when it changed."""
        if self._state is not None or self._source is None:
            return False
        changed = self._source.refresh()
        self.state  # noqa: B018  (forget what was known under the old state)
        return changed

    def caller(self) -> str:
        if self._caller is None:
            try:
                self._caller = str(
                    self.gateway.call("sts", self.state.hub_region, "get_caller_identity")["Arn"]
                )
            except AwsError:
                self._caller = "unknown"
        return self._caller

    def _ingest(self, name: str) -> None:
        if name not in self.state.ingests:
            self.refresh_state()  # deployed since the state was read?
        if name not in self.state.ingests:
            valid = ", ".join(sorted(self.state.ingests))
            raise UnknownIngestError(f"unknown ingest {name!r} (ingests: {valid})")

    # -- observation ---------------------------------------------------------------------------
    def _describe(self, region: str, flow_arn: str) -> dict[str, Any]:
        """DescribeFlow's whole response: ``Flow`` and, when the flow has errors, ``Messages``."""
        return self.gateway.call("mediaconnect", region, "describe_flow", FlowArn=flow_arn)

    def _hub(self, role: HubRole, response: dict[str, Any]) -> HubStatus:
        flow = response.get("Flow") or {}
        observed = hub_status(role, flow, self.state, flow_errors(response))
        if observed.ingest is None and observed.address and self.refresh_state():
            observed = hub_status(role, flow, self.state, flow_errors(response))  # deployed since
        return observed

    def _observe_hub(self, role: HubRole) -> HubStatus:
        state = self.state
        observed = self._hub(role, self._describe(state.hub_region, state.hub_flow(role).flow_arn))
        self._on_air[role] = observed.ingest
        return observed

    def on_air(self, role: HubRole, *, fresh: bool = False) -> str | None:
        """What is on ``role``: remembered while no other Switcher wrote to the audit log, else read."""
        if not self._watch.unchanged():  # observed before the describe, so trust() is exact
            self._on_air.clear()  # someone else switched: what is on either flow must be read
            self._updates.clear()  # and our last updates may no longer be what a take waits for
        if fresh or role not in self._on_air:
            self._observe_hub(role)
            self._watch.trust()
        return self._on_air[role]

    def _require_active(self, name: str) -> None:
        seen = self._health.get(name)
        if seen is None or self.clock() - seen[1] > self.health_ttl:
            ingest = self.state.ingests[name]
            flow = self._describe(ingest.region, ingest.flow_arn).get("Flow") or {}
            seen = (str(flow.get("Status", "UNKNOWN")), self.clock())
            self._health[name] = seen
        if seen[0] != "ACTIVE":
            raise IngestNotActiveError(
                f"ingest {name!r}: its flow is {seen[0]}, not ACTIVE; nothing was switched "
                "(use force to switch anyway)"
            )

    def _require_signal(self, name: str, target: HubRole) -> dict[str, object]:
        """SignalCheckError unless ``name`` has a live picture encoded as ``target`` carries now."""
        state, ingest = self.state, self.state.ingests[name]
        hub = state.hub_flow(target)
        return self.signals.check(
            name, ingest.region, ingest.flow_arn, target, state.hub_region, hub.flow_arn
        )

    def _carried(self, role: HubRole, ingest: str) -> None:
        """After a switch the hub flow carries the ingest's encoding (no read needed next time)."""
        known = self.signals.fresh_metadata(self.state.ingests[ingest].flow_arn)
        if known is not None:
            self.signals.carried(self.state.hub_flow(role).flow_arn, known[0])

    def _last_switch(self, target: str) -> dict[str, object] | None:
        """The audit record of the last switch of ``target``: who put what is on air there."""
        try:
            records = self.audit.records(limit=200)
        except Exception:  # the conflict itself matters more than who caused it
            return None
        for record in reversed(records):
            if record.outcome == "switched" and target in record.target.split("+"):
                return record.to_dict()
        return None

    # -- actions -------------------------------------------------------------------------------
    def _update(self, role: HubRole, ingest: str) -> dict[str, Any]:
        self._status = None
        state = self.state
        hub = state.hub_flow(role)
        target = state.ingests[ingest]
        params = {
            "FlowArn": hub.flow_arn,
            "SourceArn": hub.source_arn,
            "SourceListenerAddress": target.private_ip,
            "SourceListenerPort": target.port(role),
        }
        try:
            response = update_source(self.gateway, state.hub_region, params, attempts=self.settle_attempts)
            self._updates[role] = (params, self.clock())
            return response
        except AwsError as exc:
            raise SwitchError(
                f"switching {role} to {ingest!r} failed: {exc} (the flow keeps its previous source)"
            ) from exc

    def _record(
        self,
        request_id: str,
        action: str,
        target: str,
        previous: str | None,
        ingest: str,
        outcome: str,
        started: float,
        message: str = "",
        caller: str | None = None,
        evidence: dict[str, object] | None = None,
    ) -> AuditRecord:
        record = AuditRecord(
            time=_now(), request_id=request_id, caller=caller or self.caller(), action=action, target=target,
            from_ingest=previous, to_ingest=ingest, outcome=outcome, message=message,
            elapsed_ms=(time.perf_counter() - started) * 1000, evidence=evidence,
        )  # fmt: skip
        self.audit.append(record)
        self._watch.wrote(record)
        return record

    def switch(
        self,
        ingest: str,
        target: HubRole = "live",
        *,
        expected: str | None = None,
        force: bool = False,
        caller: str | None = None,
    ) -> SwitchResult:
        started = time.perf_counter()
        if target not in HUB_ROLES:
            raise SwitchError(f"unknown target {target!r} (live or preview)")
        self._ingest(ingest)
        request_id = uuid.uuid4().hex
        with self._lock:
            previous = self.on_air(target, fresh=expected is not None)
            if expected is not None and previous != expected:
                self._record(
                    request_id,
                    "switch",
                    target,
                    previous,
                    ingest,
                    "conflict",
                    started,
                    f"expected {expected!r} on {target}",
                    caller,
                )
                raise ConflictError(
                    f"conflict: {target} carries {previous!r}, not {expected!r} — someone switched first; "
                    "nothing was changed",
                    target=target, expected=expected, on_air=previous,
                    last_switch=self._last_switch(target),
                )  # fmt: skip
            if previous == ingest:
                self._record(
                    request_id,
                    "switch",
                    target,
                    previous,
                    ingest,
                    "unchanged",
                    started,
                    "already on air",
                    caller,
                )
                return SwitchResult(
                    target, previous, ingest, False, request_id, (time.perf_counter() - started) * 1000
                )
            evidence: dict[str, object] | None = None
            try:
                if not force:
                    self._require_active(ingest)
                    evidence = self._require_signal(ingest, target)
                response = self._update(target, ingest)
            except SwitchError as exc:
                refused = isinstance(exc, (IngestNotActiveError, SignalCheckError))
                seen = exc.seen if isinstance(exc, SignalCheckError) else evidence
                outcome = "refused" if refused else "failed"
                self._record(request_id, "switch", target, previous, ingest, outcome, started, str(exc),
                             caller, seen)  # fmt: skip
                raise
            self._on_air[target] = ingest
            self._carried(target, ingest)
            aws_id = response.get("ResponseMetadata", {}).get("RequestId") or request_id
            note = "forced: no signal check" if force else ""
            self._record(str(aws_id), "switch", target, previous, ingest, "switched", started, note, caller,
                         evidence)  # fmt: skip
            return SwitchResult(
                target, previous, ingest, True, str(aws_id), (time.perf_counter() - started) * 1000
            )

    def take(
        self,
        *,
        force: bool = False,
        caller: str | None = None,
        expected_live: str | None = None,
        expected_preview: str | None = None,
    ) -> TakeResult:
        """Preview's ingest goes to Live and Live's to Preview; both calls run concurrently.

        ``expected_live`` / ``expected_preview``: refuse with ConflictError unless those are on air."""
        started = time.perf_counter()
        request_id = uuid.uuid4().hex
        fresh = expected_live is not None or expected_preview is not None
        with self._lock:
            live, preview = self.on_air("live", fresh=fresh), self.on_air("preview", fresh=fresh)
            for role, expected, actual in (
                ("live", expected_live, live),
                ("preview", expected_preview, preview),
            ):
                if expected is not None and actual != expected:
                    self._record(request_id, "take", "live+preview", live, preview or "", "conflict", started,
                                 f"expected {expected!r} on {role}", caller)  # fmt: skip
                    raise ConflictError(
                        f"conflict: {role} carries {actual!r}, not {expected!r} — someone switched first; "
                        "nothing was changed",
                        target=role, expected=expected, on_air=actual, last_switch=self._last_switch(role),
                    )  # fmt: skip
            if live is None or preview is None:
                raise SwitchError(
                    f"cannot take: the source of {'live' if live is None else 'preview'} is not a known "
                    "ingest (run status, then switch explicitly)"
                )
            if live == preview:
                self._record(
                    request_id,
                    "take",
                    "live+preview",
                    live,
                    preview,
                    "unchanged",
                    started,
                    "live and preview carry the same ingest",
                    caller,
                )
                return TakeResult(
                    live, preview, live, preview, False, request_id, (time.perf_counter() - started) * 1000
                )
            evidence: dict[str, object] | None = None
            try:
                self._settle_recent()
                if not force:
                    self._require_active(preview)
                    self._require_active(live)
                    evidence = self._require_signal(preview, "live")  # the cut: what goes on air
            except SwitchError as exc:
                seen = exc.seen if isinstance(exc, SignalCheckError) else None
                self._record(request_id, "take", "live+preview", live, preview, "refused", started, str(exc),
                             caller, seen)  # fmt: skip
                raise
            # Both updates at once: Preview's on a pool thread, Live's on this one (no second
            # thread to start and hand over to: a take costs one switch's time, not two).
            errors: dict[str, BaseException | None] = {}
            with ThreadPoolExecutor(max_workers=1) as pool:
                other = pool.submit(self._update, "preview", live)
                try:
                    self._update("live", preview)
                except Exception as exc:
                    errors["live"] = exc
                if other.exception() is not None:
                    errors["preview"] = other.exception()
            if errors:
                message = self._undo_take(errors, live, preview)
                self._record(
                    request_id, "take", "live+preview", live, preview, "failed", started, message, caller
                )
                raise SwitchError(message)
            self._on_air.update({"live": preview, "preview": live})
            self._carried("live", preview)
            self._carried("preview", live)
            self._record(request_id, "take", "live+preview", live, preview, "switched", started,
                         f"preview now {live}" + ("; forced: no signal check" if force else ""), caller,
                         evidence)  # fmt: skip
            return TakeResult(
                preview, live, live, preview, True, request_id, (time.perf_counter() - started) * 1000
            )

    def _settle_recent(self) -> None:
        """Before a take: wait (bounded) for this process's recent updates of Live and Preview to show —
        both halves must be able to go through, or neither is tried."""
        for role, (params, when) in list(self._updates.items()):
            if self.clock() - when > self.settle_window:
                continue
            try:
                await_applied(self.gateway, self.state.hub_region, params, attempts=self.settle_attempts)
            except StillUpdatingError as exc:
                raise SwitchError(
                    f"cannot take: {role} is still UPDATING: {exc}; nothing was changed"
                ) from exc
            self._updates.pop(role, None)

    def fresh_topology(self) -> Topology:
        """The topology of the latest deployed runtime state (reloaded once when a deploy changed it)."""
        wanted = self.state.topology_sha256
        if wanted not in (self.topology.source.sha256, self._topology_tried):
            self._topology_tried = wanted
            self.topology = deployed_topology(self.topology, wanted, self.gateway.session)
        return self.topology

    def _undo_take(self, errors: dict[str, BaseException | None], live: str, preview: str) -> str:
        """One half of a take failed: put the other half back, so Live and Preview stay consistent."""
        failed = ", ".join(f"{role}: {exc}" for role, exc in errors.items())
        done = [r for r in HUB_ROLES if r not in errors]
        if not done:
            return f"take failed, nothing changed ({failed})"
        role = done[0]
        original = live if role == "live" else preview
        try:
            self._update(role, original)
        except SwitchError as exc:
            self._on_air.pop(role, None)
            return f"take failed ({failed}); putting {role} back on {original!r} failed too: {exc}"
        return f"take failed ({failed}); {role} was put back on {original!r}"

    def status(self) -> Status:
        cached = self._status
        if cached is not None and self.status_ttl > 0 and self.clock() - cached[1] <= self.status_ttl:
            return cached[0]
        state = self.state
        self._watch.unchanged()  # observe the audit log before reading what is on air
        responses, warnings = observe_flows(self.gateway, self.topology, state, self.signals)
        live = self._hub("live", responses["hub:live"])
        preview = self._hub("preview", responses["hub:preview"])
        live = replace(live, signal=self.signals.signal(state.live.flow_arn))
        preview = replace(preview, signal=self.signals.signal(state.preview.flow_arn))
        state = self.state  # maybe re-read: a hub flow pointed at an address the old one did not know
        now = self.clock()
        with self._lock:
            self._on_air.update({"live": live.ingest, "preview": preview.ingest})
            self._watch.trust()
            for name in state.ingests:
                flow = (responses.get(name) or {}).get("Flow")
                self._health[name] = (str((flow or {}).get("Status", "MISSING")), now)
        ingests = []
        for name, ing in state.ingests.items():
            response = responses.get(name) or {}
            flow = response.get("Flow")
            on_air = [r for r, hub in (("live", live), ("preview", preview)) if hub.ingest == name]
            ingests.append(
                ingest_health(name, ing.region, flow, live.ingest, preview.ingest, flow_errors(response),
                              path_problems(name, ing, flow, on_air),  # type: ignore[arg-type]
                              signal=self.signals.signal(ing.flow_arn))
            )  # fmt: skip
        status = Status(self.topology.name, live, preview, tuple(ingests), warnings)
        self._status = (status, now)
        return status

    def thumbnail(self, ingest: str) -> tuple[bytes | None, datetime | None, tuple[str, ...]]:
        """The latest thumbnail of ``ingest``'s source (JPEG), when it was taken, and AWS's messages."""
        self._ingest(ingest)
        target = self.state.ingests[ingest]
        return self.signals.read_thumbnail(target.region, target.flow_arn)

    def history(self, limit: int | None = None) -> list[AuditRecord]:
        return self.audit.records(limit)


__all__ = ["SwitchResult", "Switcher", "TakeResult"]
