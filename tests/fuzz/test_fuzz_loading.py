"""Property: loading any document either returns a model or raises TopologyError with paths —
never any other exception. CI-sized here (the profile's examples, 150 in ``ci``); a long run:
``pytest tests/fuzz --hypothesis-profile long``."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings

from hypothesis_budget import examples
from streamfabric.errors import TopologyError
from streamfabric.topology.loading import parse_topology
from streamfabric.topology.model import Topology

from .strategies import mutated_topology, valid_topology

FUZZ = settings(max_examples=examples(1.0), suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(valid_topology())
def test_valid_documents_load(doc: dict[str, object]) -> None:
    model = parse_topology(json.dumps(doc), "fuzz.json")
    assert isinstance(model, Topology)
    assert model.ingest_names == tuple(i["name"] for i in doc["ingests"])  # type: ignore[index, union-attr]


@FUZZ
@given(mutated_topology())
def test_mutated_documents_give_a_model_or_a_topology_error(text: str) -> None:
    try:
        model = parse_topology(text, "fuzz.json")
    except TopologyError as exc:
        assert exc.problems, "a TopologyError must carry at least one problem"
        for problem in exc.problems:
            assert problem.path.startswith("$"), problem
            assert problem.source == "fuzz.json"
            assert problem.message
            assert len(problem.message) < 2000, "messages must stay readable even for huge input"
            assert str(problem).startswith("fuzz.json: $")
        assert list(exc.problems) == sorted(exc.problems)
    else:
        assert isinstance(model, Topology)
