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

Every attempt is recorded in the audit log (:mod:`.recording`); ``expected`` is checked by
:mod:`.compare`; what a Switcher is built from is in :mod:`.options`.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime
from typing import Any, Unpack

from ..aws.gateway import AwsGateway
from ..errors import AwsError, IngestNotActiveError, SignalCheckError, SwitchError, UnknownIngestError
from ..state.runtime import RuntimeState, default_audit_uri
from ..topology.model import HUB_ROLES, HubRole, Topology
from .audit import AuditRecord, open_audit_log
from .checks import flow_errors, path_problems
from .compare import require_expected
from .freshness import AuditWatch, DeployedState, deployed_topology
from .observe import observe_flows
from .options import SwitcherDependencies, SwitcherKeywords, SwitcherOptions, split_keywords
from .recording import Attempt, Recorder
from .results import SwitchResult, TakeResult
from .signal import SignalMonitor
from .status import HubStatus, Status, hub_status, ingest_health
from .updating import RecentUpdates, update_source


class Switcher:
    """switch / take / status / history for one deployed topology.

    ``Switcher(topology)``; ``options`` and ``dependencies`` (:mod:`.options`), or any of their
    fields as a keyword: ``Switcher(topology, gateway=gateway, status_ttl=1.0)``."""

    def __init__(
        self,
        topology: Topology,
        *,
        options: SwitcherOptions | None = None,
        dependencies: SwitcherDependencies | None = None,
        **keywords: Unpack[SwitcherKeywords],
    ) -> None:
        self.options, given = split_keywords(options, dependencies, keywords)
        self.topology = topology
        self.gateway = given.gateway or AwsGateway(given.session)
        self.audit = given.audit or open_audit_log(default_audit_uri(topology), self.gateway)
        self._watch = AuditWatch(self.audit, self.gateway)
        self._recorder = Recorder(self.audit, self._watch, self.caller)
        self.clock = given.clock
        self._caller = given.caller
        self._lock = threading.RLock()
        ttl = self.options.state_ttl  # a state given is fixed; else it is read, and re-read
        self._deployed = DeployedState(self.gateway, topology, given.state, ttl, self.clock, self._forget)
        self._on_air: dict[HubRole, str | None] = {}
        self._health: dict[str, tuple[str, float]] = {}  # ingest -> (flow status, seen at)
        self._status: tuple[Status, float] | None = None  # the last status() and when (status_ttl)
        self._updates = RecentUpdates(self.clock)  # a take waits for them to show
        self._topology_tried: str | None = None
        self.signals = given.signals or SignalMonitor(self.gateway, clock=self.clock)

    # The options a server or a benchmark changes on a running Switcher.
    @property
    def status_ttl(self) -> float:
        return self.options.status_ttl

    @status_ttl.setter
    def status_ttl(self, value: float) -> None:
        self.options = replace(self.options, status_ttl=value)

    @property
    def settle_window(self) -> float:
        return self.options.settle_window

    @settle_window.setter
    def settle_window(self, value: float) -> None:
        self.options = replace(self.options, settle_window=value)

    # -- state --------------------------------------------------------------------------------
    @property
    def state(self) -> RuntimeState:
        """The latest deployed runtime state (re-read when it changed, see :mod:`.freshness`)."""
        return self._deployed.get()

    def refresh_state(self) -> bool:
        """Re-read the runtime state now (if it is read from a URI); True when it changed."""
        return self._deployed.refresh()

    def _forget(self) -> None:
        """Another deployment: what was known under the old state is not."""
        with self._lock:
            self._on_air.clear()
            self._health.clear()
            self._status = None

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
            self._updates.forget()  # and our last updates may no longer be what a take waits for
        if fresh or role not in self._on_air:
            self._observe_hub(role)
            self._watch.trust()
        return self._on_air[role]

    def _require_active(self, name: str) -> None:
        seen = self._health.get(name)
        if seen is None or self.clock() - seen[1] > self.options.health_ttl:
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
            attempts = self.options.settle_attempts
            response = update_source(self.gateway, state.hub_region, params, attempts=attempts)
            self._updates.made(role, params)
            return response
        except AwsError as exc:
            raise SwitchError(
                f"switching {role} to {ingest!r} failed: {exc} (the flow keeps its previous source)"
            ) from exc

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
        with self._lock:
            previous = self.on_air(target, fresh=expected is not None)
            attempt = Attempt("switch", target, previous, ingest, caller, started=started)
            require_expected(self._recorder, attempt, target, expected, previous)
            if previous == ingest:
                self._recorder.record(attempt, "unchanged", "already on air")
                return SwitchResult(target, previous, ingest, False, attempt.request_id, attempt.elapsed_ms)
            evidence: dict[str, object] | None = None
            try:
                if not force:
                    self._require_active(ingest)
                    evidence = self._require_signal(ingest, target)
                response = self._update(target, ingest)
            except SwitchError as exc:
                refused = isinstance(exc, (IngestNotActiveError, SignalCheckError))
                seen = exc.seen if isinstance(exc, SignalCheckError) else evidence
                self._recorder.record(attempt, "refused" if refused else "failed", str(exc), seen)
                raise
            self._on_air[target] = ingest
            self._carried(target, ingest)
            aws_id = response.get("ResponseMetadata", {}).get("RequestId") or attempt.request_id
            done = replace(attempt, request_id=str(aws_id))
            self._recorder.record(done, "switched", "forced: no signal check" if force else "", evidence)
            return SwitchResult(target, previous, ingest, True, done.request_id, done.elapsed_ms)

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
        fresh = expected_live is not None or expected_preview is not None
        with self._lock:
            live, preview = self.on_air("live", fresh=fresh), self.on_air("preview", fresh=fresh)
            attempt = Attempt("take", "live+preview", live, preview or "", caller, started=started)
            require_expected(self._recorder, attempt, "live", expected_live, live)
            require_expected(self._recorder, attempt, "preview", expected_preview, preview)
            if live is None or preview is None:
                raise SwitchError(
                    f"cannot take: the source of {'live' if live is None else 'preview'} is not a known "
                    "ingest (run status, then switch explicitly)"
                )
            if live == preview:
                self._recorder.record(attempt, "unchanged", "live and preview carry the same ingest")
                return TakeResult(live, preview, live, preview, False, attempt.request_id, attempt.elapsed_ms)
            evidence: dict[str, object] | None = None
            try:
                window, attempts = self.options.settle_window, self.options.settle_attempts
                self._updates.settle(
                    self.gateway, lambda: self.state.hub_region, window=window, attempts=attempts
                )
                if not force:
                    self._require_active(preview)
                    self._require_active(live)
                    evidence = self._require_signal(preview, "live")  # the cut: what goes on air
            except SwitchError as exc:
                seen = exc.seen if isinstance(exc, SignalCheckError) else None
                self._recorder.record(attempt, "refused", str(exc), seen)
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
                self._recorder.record(attempt, "failed", message)
                raise SwitchError(message)
            self._on_air.update({"live": preview, "preview": live})
            self._carried("live", preview)
            self._carried("preview", live)
            note = f"preview now {live}" + ("; forced: no signal check" if force else "")
            self._recorder.record(attempt, "switched", note, evidence)
            return TakeResult(preview, live, live, preview, True, attempt.request_id, attempt.elapsed_ms)

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
        cached, ttl = self._status, self.options.status_ttl
        if cached is not None and ttl > 0 and self.clock() - cached[1] <= ttl:
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
        hub_ingests = (live.ingest, preview.ingest)
        for name, ing in state.ingests.items():
            response = responses.get(name) or {}
            flow = response.get("Flow")
            on_air = [r for r, hub in (("live", live), ("preview", preview)) if hub.ingest == name]
            errors = flow_errors(response)
            problems = path_problems(name, ing, flow, on_air)  # type: ignore[arg-type]
            signal = self.signals.signal(ing.flow_arn)
            ingests.append(
                ingest_health(name, ing.region, flow, *hub_ingests, errors, problems, signal=signal)
            )
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
