"""The show under load: five operator panels' request patterns and one operator switching every
10 s, through the local control API (``streamfabric serve``'s server, loopback only) behind an
emulated API Gateway stage throttle (the rendered stage's rate and burst, a token bucket answering
429 as API Gateway does), against the emulator with ``LATENCY`` per AWS call.

Each simulated panel follows ``panel.js``'s own schedule (its constants are read from the file):
GET status every ``POLL_MS`` (doubled on a 429 up to ``MAX_POLL_MS``, back on an answer), GET
thumbnails every ``THUMB_MS`` with the ETags it has, GET history every ``HISTORY_MS`` and when
Live or Preview changed; a switch the stage throttled is sent again (``CUT_RETRIES``), as the panel
does. A panel error is an answer the panel would show as an error: anything but 2xx, or a 429 on a
switch after its retries (a 429 on a poll is "slowing down", counted apart).

Figures: switches that failed, panel errors, the switch's p95 under that load over its p95 alone
(the same operator with no panel open), and requests per panel per second. Full mode runs 2
minutes; ``--quick`` 20 s (and says so)."""

from __future__ import annotations

import json
import re
import statistics
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from bench.deploying import LATENCY, deploy_once, session
from bench.emulator import Emulator

PANEL_JS = Path(__file__).resolve().parent.parent / "src" / "streamfabric" / "panel" / "panel.js"
PANELS = 5
SWITCH_EVERY_S = 10.0


def panel_schedule() -> dict[str, int]:
    """``panel.js``'s intervals (ms) and retries, read from the file the browser runs."""
    text = PANEL_JS.read_text()
    names = ("POLL_MS", "MAX_POLL_MS", "THUMB_MS", "HISTORY_MS", "CUT_RETRIES")
    return {n: int(re.search(rf"var {n} = (\d+);", text).group(1)) for n in names}  # type: ignore[union-attr]


class Throttle:
    """API Gateway's stage throttle in front of a WSGI app: a token bucket of ``rate`` per second
    and ``burst``; a request finding it empty gets 429 ``{"message": "Too Many Requests"}``."""

    def __init__(self, app: Any, rate: float, burst: int) -> None:
        self.app, self.rate, self.burst = app, rate, burst
        self.tokens, self.at = float(burst), time.monotonic()
        self.lock = threading.Lock()
        self.throttled = 0

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        with self.lock:
            now = time.monotonic()
            self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
            self.at = now
            allowed = self.tokens >= 1
            if allowed:
                self.tokens -= 1
            else:
                self.throttled += 1
        if allowed:
            return self.app(environ, start_response)
        start_response("429 Too Many Requests", [("Content-Type", "application/json")])
        return [b'{"message": "Too Many Requests"}']


_HEADERS: dict[str, str] = {"Content-Type": "application/json"}  # + the local API's per-run token


def _request(url: str, method: str = "GET", body: Any = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers=dict(_HEADERS))
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            raw = resp.read()
            return resp.status, json.loads(raw) if raw[:1] in (b"{", b"[") else None
    except urllib.error.HTTPError as exc:
        raw = exc.read()
        return exc.code, json.loads(raw) if raw[:1] == b"{" else None
    except OSError:
        return 0, None


class Panel(threading.Thread):
    """One open panel, by ``panel.js``'s schedule, until ``stop`` is set."""

    def __init__(self, url: str, schedule: dict[str, int], stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.url, self.s, self.stop = url, schedule, stop
        self.requests = self.errors = self.slowed = 0
        self.problems: list[str] = []

    def get(self, path: str) -> tuple[int, Any]:
        self.requests += 1
        code, body = _request(self.url + path)
        if code == 429:
            self.slowed += 1
        elif not 200 <= code < 300:
            self.errors += 1
            self.problems.append(f"GET {path.split('?')[0]}: {code}")
        return code, body

    def run(self) -> None:
        for path in ("/", "/topology"):
            self.get(path)
        poll_ms, etags, on_air = self.s["POLL_MS"], {}, None
        now = time.monotonic()
        due = {"status": now, "thumbnails": now, "history": now}
        while not self.stop.is_set():
            now = time.monotonic()
            if now >= due["status"]:
                code, body = self.get("/status")
                poll_ms = self.s["POLL_MS"] if code == 200 else min(self.s["MAX_POLL_MS"], poll_ms * 2)
                if code == 200:
                    seen = (body["live"]["ingest"], body["preview"]["ingest"])
                    if on_air is not None and seen != on_air:
                        due["history"] = now
                    on_air = seen
                due["status"] = now + poll_ms / 1000
            if now >= due["thumbnails"]:
                have = ",".join(etags.values())
                code, body = self.get("/thumbnails" + (f"?have={have}" if have else ""))
                if code == 200:
                    etags = {n: t["etag"] for n, t in body["thumbnails"].items() if t["etag"]}
                due["thumbnails"] = now + self.s["THUMB_MS"] / 1000
            if now >= due["history"]:
                self.get("/history?limit=12")
                due["history"] = now + self.s["HISTORY_MS"] / 1000
            self.stop.wait(max(0.01, min(due.values()) - time.monotonic()))


def _switch(url: str, ingest: str, expected: str | None, retries: int) -> tuple[bool, float, str]:
    """POST /switch to Live as the panel sends it (retried on 429); ok, seconds, what happened."""
    body = {"ingest": ingest, "target": "live", **({"expected": expected} if expected else {})}
    start = time.perf_counter()
    for attempt in range(retries + 1):
        code, answer = _request(url + "/switch", "POST", body)
        if code != 429:
            break
        time.sleep(0.2 * 2**attempt)
    ok = code == 200
    return ok, time.perf_counter() - start, "" if ok else f"{code}: {(answer or {}).get('message')}"


def _operator(url: str, names: list[str], count: int, every: float, retries: int) -> dict[str, Any]:
    times, failures, on_air = [], [], None
    start = time.monotonic()
    for i in range(count):
        target = names[i % len(names)]
        ok, seconds, why = _switch(url, target, on_air, retries)
        times.append(seconds)
        if ok:
            on_air = target
        else:
            failures.append(why)
            on_air = None  # read what is on air again: send no expected
        time.sleep(max(0.0, start + (i + 1) * every - time.monotonic()))
    return {"times": times, "failures": failures}


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def bench_ops(quick: bool, tmp: Path, emulator: Emulator) -> dict[str, Any]:
    from werkzeug.serving import make_server

    from streamfabric.api.local import LocalApi
    from streamfabric.aws.gateway import AwsGateway
    from streamfabric.rendering.api import THROTTLE_BURST, THROTTLE_RATE
    from streamfabric.switching import Switcher

    # No UPDATING window after UpdateFlowSource (as the switch and take figures): the emulator ends
    # it after a number of reads, not of seconds, so the panels' reads would end it under load and
    # nothing would alone; the figure compares the switch's own path with and without the load.
    model = deploy_once(emulator, 4, 12, tmp, update_window=False).model
    duration = 20.0 if quick else 120.0
    schedule = panel_schedule()
    switcher = Switcher(model, gateway=AwsGateway(session(LATENCY)), caller="bench")
    switcher.status_ttl = 1.0  # as `streamfabric serve` and the Lambda set it
    api = LocalApi(switcher, caller="local:bench")
    _HEADERS.update(api.headers)  # what the panel sends, read from its own page
    throttle = Throttle(api, THROTTLE_RATE, THROTTLE_BURST)
    server = make_server("127.0.0.1", 0, throttle, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        status = switcher.status()
        names = [i.name for i in status.ingests if i.signal and i.signal.has_signal and not i.on_live]
        count = int(duration // SWITCH_EVERY_S)
        retries = schedule["CUT_RETRIES"]
        _operator(url, names[-1:], 1, 0.0, retries)  # warm-up: the caller's identity, the audit log
        alone = _operator(url, names, max(count, 6), 1.0, retries)  # unloaded: no panel open
        stop = threading.Event()
        panels = [Panel(url, schedule, stop) for _ in range(PANELS)]
        throttle.throttled = 0
        started = time.monotonic()
        for p in panels:
            p.start()
        time.sleep(2.0)  # the panels' start-up requests, as when five operators open their pages
        loaded = _operator(url, names[::-1], count, SWITCH_EVERY_S, retries)
        time.sleep(max(0.0, started + duration - time.monotonic()))
        stop.set()
        for p in panels:
            p.join(timeout=30)
        elapsed = time.monotonic() - started
    finally:
        server.shutdown()
        server.server_close()
    requests = sum(p.requests for p in panels)
    return {
        "mode": f"{'quick: ' if quick else ''}{duration:.0f} s, {PANELS} panels, a switch every "
        f"{SWITCH_EVERY_S:.0f} s ({count} switches), stage throttle {THROTTLE_RATE}/s burst {THROTTLE_BURST}",
        "duration_s": elapsed,
        "panel_schedule_ms": schedule,
        "switches": count,
        "failed_switches": len(loaded["failures"]) + len(alone["failures"]),
        "switch_failures": loaded["failures"] + alone["failures"],
        "panel_errors": sum(p.errors for p in panels),
        "panel_problems": sorted({x for p in panels for x in p.problems})[:10],
        "panel_slowed": sum(p.slowed for p in panels),
        "stage_throttled": throttle.throttled,
        "requests_per_panel_s": requests / PANELS / elapsed,
        "switch_p95_ms": _p95(loaded["times"]) * 1000,
        "switch_p95_unloaded_ms": _p95(alone["times"]) * 1000,
        "switch_median_ms": statistics.median(loaded["times"]) * 1000,
        "switch_p95_ratio": _p95(loaded["times"]) / _p95(alone["times"]),
        "latency_per_call_ms": LATENCY * 1000,
    }
