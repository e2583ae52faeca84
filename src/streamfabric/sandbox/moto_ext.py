"""streamfabric's extension of moto: MediaConnect as the real service behaves, in CloudFormation too.

``install()`` is idempotent and must run before moto serves MediaConnect requests (``Sandbox``
does it). It

* replaces moto's MediaConnect HTTP handlers (:mod:`.moto_mediaconnect`),
* registers CloudFormation models for ``AWS::MediaConnect::Flow``, ``FlowOutput``, ``FlowSource``
  and ``FlowVpcInterface`` (:mod:`.moto_cfn`, :mod:`.moto_cfn_base`),
* makes resource failures (theirs, and service errors of moto's own models) end any stack in
  ROLLBACK_COMPLETE / UPDATE_ROLLBACK_COMPLETE / DELETE_FAILED instead of an HTTP error
  (:mod:`.moto_cfn_failures`),
* runs change sets as CloudFormation does: outputs, parameters and tags after ExecuteChangeSet,
  FAILED change sets without changes, complete ``Changes`` (:mod:`.moto_cfn_changesets`),
* runs stack updates as CloudFormation does: removals in a clean-up phase whose failures leave the
  resource orphaned and the stack UPDATE_COMPLETE, no resource lost that the template still has,
  security group rules updated in place (:mod:`.moto_cfn_updates`),
* reads YAML ``!GetAtt Flow.Source.IngestIp`` / ``!GetAtt [Flow, Source.IngestIp]`` as
  CloudFormation does (:mod:`.moto_cfn_yaml`), and
* registers a CloudFormation model for ``AWS::SecretsManager::Secret`` (:mod:`.moto_cfn_secrets`),
  and replaces moto's models for ``AWS::EC2::VPCPeeringConnection`` (``PeerRegion``, accepted in
  one account), ``Route``, ``RouteTable`` and ``SubnetRouteTableAssociation`` with ones that can be
  updated and deleted (:mod:`.moto_cfn_ec2`),
* registers CloudFormation models for ``AWS::ApiGateway::Stage`` and ``Authorizer`` and
  ``AWS::Cognito::UserPool``, ``UserPoolDomain`` and ``UserPoolClient`` (:mod:`.moto_cfn_apigateway`),
  so the control API's stack is complete in the emulator,
* registers a CloudFormation model for ``AWS::CloudWatch::Alarm`` (:mod:`.moto_cfn_cloudwatch`),
* refuses to delete a subnet that still has network interfaces (:mod:`.moto_ec2_dependencies`),
* finds the backend for a request's host once per host (:mod:`.moto_dispatch`: speed only), and
* emulates what each flow's source receives (:mod:`.moto_mc_signal`, changed through
  ``/moto-api/streamfabric/signal``): DescribeFlowSourceMetadata and DescribeFlowSourceThumbnail
  (:mod:`.moto_mc_monitor`) and the ``AWS/MediaConnect`` source metrics (:mod:`.moto_mc_metrics`).
"""

from __future__ import annotations

import threading

from . import (
    moto_cfn,
    moto_cfn_apigateway,
    moto_cfn_changesets,
    moto_cfn_cloudwatch,
    moto_cfn_ec2,
    moto_cfn_failures,
    moto_cfn_secrets,
    moto_cfn_updates,
    moto_cfn_yaml,
    moto_dispatch,
    moto_ec2_dependencies,
    moto_mc_metrics,
    moto_mc_monitor,
    moto_mc_signal,
    moto_mediaconnect,
)

_lock = threading.Lock()


def install() -> None:
    """Install the extension into moto (safe to call any number of times)."""
    with _lock:
        moto_mediaconnect.install()
        moto_cfn.install()
        moto_cfn_failures.install()
        moto_cfn_changesets.install()
        moto_cfn_updates.install()
        moto_cfn_yaml.install()
        moto_cfn_secrets.install()
        moto_cfn_ec2.install()
        moto_cfn_apigateway.install()
        moto_cfn_cloudwatch.install()
        moto_ec2_dependencies.install()
        moto_mc_signal.install()
        moto_mc_monitor.install()
        moto_mc_metrics.install()
        moto_dispatch.install()
