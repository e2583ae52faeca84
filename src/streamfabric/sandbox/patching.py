"""streamfabric's extension of moto: MediaConnect as the real service behaves, in CloudFormation too.

``install()`` is idempotent and must run before moto serves MediaConnect requests (``Sandbox``
does it). It

* replaces moto's MediaConnect HTTP handlers (:mod:`.mediaconnect.responses`),
* registers CloudFormation models for ``AWS::MediaConnect::Flow``, ``FlowOutput``, ``FlowSource``
  and ``FlowVpcInterface``
  (:mod:`.cloudformation.resources.mediaconnect`, :mod:`.cloudformation.resources.base`),
* makes resource failures (theirs, and service errors of moto's own models) end any stack in
  ROLLBACK_COMPLETE / UPDATE_ROLLBACK_COMPLETE / DELETE_FAILED instead of an HTTP error
  (:mod:`.cloudformation.failures`),
* runs change sets as CloudFormation does: outputs, parameters and tags after ExecuteChangeSet,
  FAILED change sets without changes, complete ``Changes`` (:mod:`.cloudformation.changesets`),
* runs stack updates as CloudFormation does: removals in a clean-up phase whose failures leave the
  resource orphaned and the stack UPDATE_COMPLETE, no resource lost that the template still has,
  security group rules updated in place (:mod:`.cloudformation.updates`),
* reads YAML ``!GetAtt Flow.Source.IngestIp`` / ``!GetAtt [Flow, Source.IngestIp]`` as
  CloudFormation does (:mod:`.cloudformation.templates_yaml`), and
* registers a CloudFormation model for ``AWS::SecretsManager::Secret``
  (:mod:`.cloudformation.resources.secrets`),
  and replaces moto's models for ``AWS::EC2::VPCPeeringConnection`` (``PeerRegion``, accepted in
  one account), ``Route``, ``RouteTable`` and ``SubnetRouteTableAssociation`` with ones that can be
  updated and deleted (:mod:`.cloudformation.resources.ec2`),
* registers CloudFormation models for ``AWS::ApiGateway::Stage`` and ``Authorizer`` and
  ``AWS::Cognito::UserPool``, ``UserPoolDomain`` and ``UserPoolClient``
  (:mod:`.cloudformation.resources.apigateway`),
  so the control API's stack is complete in the emulator,
* registers a CloudFormation model for ``AWS::CloudWatch::Alarm``
  (:mod:`.cloudformation.resources.cloudwatch`),
* refuses to delete a subnet that still has network interfaces (:mod:`.ec2.subnets`),
* finds the backend for a request's host once per host (:mod:`.dispatch`: speed only), and
* emulates what each flow's source receives (:mod:`.mediaconnect.signal`, changed through
  ``/moto-api/streamfabric/signal``): DescribeFlowSourceMetadata and DescribeFlowSourceThumbnail
  (:mod:`.mediaconnect.monitor`) and the ``AWS/MediaConnect`` source metrics (:mod:`.mediaconnect.metrics`).
"""

from __future__ import annotations

import threading

from . import dispatch
from .cloudformation import changesets, failures, templates_yaml, updates
from .cloudformation.resources import apigateway, cloudwatch, ec2, mediaconnect, secrets
from .ec2 import subnets
from .mediaconnect import metrics, monitor, responses, signal

_lock = threading.Lock()


def install() -> None:
    """Install the extension into moto (safe to call any number of times)."""
    with _lock:
        responses.install()
        mediaconnect.install()
        failures.install()
        changesets.install()
        updates.install()
        templates_yaml.install()
        secrets.install()
        ec2.install()
        apigateway.install()
        cloudwatch.install()
        subnets.install()
        signal.install()
        monitor.install()
        metrics.install()
        dispatch.install()
