"""Opt-in: a real AWS account (STREAMFABRIC_REAL_AWS=1 and credentials; costs money while it runs).
The only test that sees the AWS environment pytest was started with (``real_aws_environment``).

STREAMFABRIC_REAL_AWS_TOPOLOGY names a topology (path or s3://) whose referenced secrets exist in
the account. The test deploys it with --network cloudformation, checks the flows, deploys again
(zero mutating calls), and destroys everything, also when something failed.
"""

from __future__ import annotations

import os
import sys

import boto3
import pytest

from streamfabric.aws.gateway import AwsGateway
from streamfabric.deployment import PlainReporter, deploy, destroy
from streamfabric.topology.loading import load_topology

from . import helpers
from .test_integration import assert_deployed

pytestmark = [pytest.mark.real_aws, pytest.mark.usefixtures("real_aws_environment")]


def test_deploy_twice_then_destroy_on_a_real_account() -> None:
    uri = os.environ.get("STREAMFABRIC_REAL_AWS_TOPOLOGY")
    if not uri:  # enabled (STREAMFABRIC_REAL_AWS=1) but not given what it needs: a failure, not a skip
        pytest.fail("set STREAMFABRIC_REAL_AWS_TOPOLOGY to a topology whose secrets exist in the account")
    model = load_topology(uri)
    session = boto3.session.Session()
    counter = helpers.CallCounter(session)
    gateway = AwsGateway(session)
    reporter = PlainReporter(sys.stderr)
    try:
        deploy(model, network="cloudformation", gateway=gateway, reporter=reporter)
        assert_deployed(session, model)
        counter.reset()
        assert deploy(model, network="cloudformation", gateway=gateway, reporter=reporter).plan.empty
        assert counter.mutating == []
    finally:
        destroy(model, gateway=gateway, reporter=reporter)
    for net in model.networks:
        flows = session.client("mediaconnect", region_name=net.region).list_flows()["Flows"]
        assert [f["Name"] for f in flows if f["Name"].startswith(f"{model.name}-")] == []
