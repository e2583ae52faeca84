"""streamfabric's extension of moto: MediaConnect as the real service behaves, in CloudFormation too.

:data:`REGISTRY` lists every change made to moto, in the order :func:`install` applies them (so
the order in which wrappers stack is data: the later patch of one target wraps the earlier), each
with its target, its replacement, why (the AWS page the behaviour follows, or "speed, not
behaviour") and the fingerprint of the target in the pinned moto (:mod:`.patch`).
``install()`` is idempotent and thread-safe, and must run before moto serves MediaConnect requests
(``Sandbox`` does it). The extension

* replaces moto's MediaConnect HTTP handlers (:mod:`.mediaconnect.responses`),
* registers CloudFormation models for ``AWS::MediaConnect::Flow``, ``FlowOutput``, ``FlowSource``
  and ``FlowVpcInterface``
  (:mod:`.cloudformation.resources.mediaconnect`, :mod:`.cloudformation.resources.base`),
* makes resource failures (theirs, and service errors of moto's own models) end any stack in
  ROLLBACK_COMPLETE / UPDATE_ROLLBACK_COMPLETE / DELETE_FAILED instead of an HTTP error
  (:mod:`.cloudformation.failures`),
* runs change sets as CloudFormation does: outputs, parameters and tags after ExecuteChangeSet,
  FAILED change sets without changes, complete ``Changes`` (:mod:`.cloudformation.changesets`),
* runs change sets' ``Details``, ``Scope`` and ``Replacement`` from the create-only properties of
  the resource schemas cfn-lint ships (:mod:`.cloudformation.details`, :mod:`.cloudformation.schemas`),
* runs stack updates as CloudFormation does: dependency order, a create-only property changed
  replaces the resource (the new one first, references moved to it), the old and the removed
  resources deleted in a clean-up phase whose failures leave the resource orphaned and the stack
  UPDATE_COMPLETE, no resource lost that the template still has (:mod:`.cloudformation.updates`),
* reads YAML ``!GetAtt Flow.Source.IngestIp`` / ``!GetAtt [Flow, Source.IngestIp]`` as
  CloudFormation does (:mod:`.cloudformation.templates_yaml`), and
* registers a CloudFormation model for ``AWS::SecretsManager::Secret``
  (:mod:`.cloudformation.resources.secrets`),
  and replaces moto's models for ``AWS::EC2::VPCPeeringConnection`` (``PeerRegion``, accepted in
  one account), ``Route``, ``RouteTable`` and ``SubnetRouteTableAssociation`` with ones that can be
  updated and deleted (:mod:`.cloudformation.resources.ec2`), for ``AWS::EC2::VPC`` and ``Subnet``
  with ones that can be updated and replaced (:mod:`.cloudformation.resources.ec2_network`), and for
  ``AWS::EC2::SecurityGroup`` with one whose rules (egress too) change as CloudFormation changes
  them, each dropped window recorded (:mod:`.cloudformation.resources.ec2_security`, :mod:`.ec2.traffic`),
* registers CloudFormation models for ``AWS::ApiGateway::Stage`` and ``Authorizer`` and
  ``AWS::Cognito::UserPool``, ``UserPoolDomain`` and ``UserPoolClient``
  (:mod:`.cloudformation.resources.apigateway`),
  so the control API's stack is complete in the emulator,
* registers a CloudFormation model for ``AWS::CloudWatch::Alarm``
  (:mod:`.cloudformation.resources.cloudwatch`),
* refuses to delete a subnet that still has network interfaces (:mod:`.ec2.subnets`),
* emulates what each flow's source receives (:mod:`.mediaconnect.signal`, changed through
  ``/moto-api/streamfabric/signal``): DescribeFlowSourceMetadata and DescribeFlowSourceThumbnail
  (:mod:`.mediaconnect.monitor`) and the ``AWS/MediaConnect`` source metrics
  (:mod:`.mediaconnect.metrics`), and
* finds the backend for a request's host once per host (:mod:`.dispatch`: speed only).
"""

from __future__ import annotations

import threading

from moto.cloudformation.responses import transform_dict

from . import dispatch
from .cloudformation import changesets, failures, templates_yaml, updates
from .cloudformation.resources import (
    apigateway,
    cloudwatch,
    ec2,
    ec2_network,
    ec2_security,
    mediaconnect,
    secrets,
)
from .ec2 import subnets, traffic
from .mediaconnect import asynchronous, metrics, monitor, responses, signal
from .patch import ABSENT, How, Patch, apply, numbered

_MC = "moto.mediaconnect.responses:MediaConnectResponse."
_CFN = "moto.cloudformation.models:"
_PARSING = "moto.cloudformation.parsing:"
_RESPONSES = "moto.cloudformation.responses:"
_API = "the MediaConnect API Reference"
_HANDLER = "(self) -> str"  # moto's MediaConnect handlers
_RESOLVE = (
    "(logical_id: str, resource_json: dict[str, typing.Any], resources_map: 'ResourceMap', "
    "account_id: str, region_name: str) -> Optional[~CF_MODEL]"
)
_FAILURES = (
    "AWS CloudFormation User Guide, stack status codes: a failed resource ends the stack in "
    "ROLLBACK_COMPLETE, UPDATE_ROLLBACK_COMPLETE or DELETE_FAILED (cloudformation/failures.py)"
)
_CHANGE_SETS = (
    "AWS CloudFormation API Reference, CreateChangeSet, ExecuteChangeSet and DescribeChangeSet "
    "(cloudformation/changesets.py)"
)
_UPDATES = (
    "AWS CloudFormation User Guide, Update behaviors of stack resources and Monitor the progress of a "
    "stack update: replacement, removals in the clean-up phase, nothing lost (cloudformation/updates.py)"
)
_YAML = "AWS CloudFormation Template Reference, Fn::GetAtt: the attribute follows the first dot"
_STACK_UPDATE = (
    "(self, template: 'str', role_arn: 'str | None' = None, parameters: 'dict[str, Any] | None' = None, "
    "tags: 'dict[str, str] | None' = None) -> 'None'"
)
_CREATE_CHANGE_SET = (
    "(self, stack_name: 'str', change_set_name: 'str', template: 'str', parameters: 'dict[str, str]', "
    "description: 'str', change_set_type: 'str', notification_arns: 'list[str] | None' = None, "
    "tags: 'dict[str, str] | None' = None, role_arn: 'str | None' = None) -> 'tuple[str, str]'"
)
_LIBYAML = "speed, not behaviour: libyaml reads the same documents (cloudformation/templates_yaml.py)"


def _handler(how: How, handler: object, why: str) -> Patch:
    name = getattr(handler, "__name__", "")
    return Patch(how, _MC + name, handler, f"{_API}, {why}", _HANDLER if how is How.REPLACE else ABSENT)


def _model(model: type, moto_model: str, why: str) -> Patch:
    key = str(model.cloudformation_type())  # type: ignore[attr-defined]
    return Patch(How.MODEL, _PARSING + "get_model_map", model, why, moto_model or ABSENT, key=key)


_R, _A = How.REPLACE, How.ADD
_MEDIACONNECT_MODEL = "AWS CloudFormation Template Reference, AWS::MediaConnect::"
_EC2 = "moto.ec2.models."  # a module of moto.ec2.models, or a model in one

REGISTRY: tuple[Patch, ...] = numbered((
    # --- MediaConnect's API (mediaconnect/responses.py, mediaconnect/models.py) ---------------------
    _handler(_R, responses.create_flow, "CreateFlow: a STANDBY flow, ARNs, ENIs for VPC interfaces"),
    _handler(_R, responses.describe_flow, "DescribeFlow: the Flow shape, and Messages when it has errors"),
    _handler(_R, responses.list_flows, "ListFlows: ListedFlow shapes, paginated"),
    _handler(_R, responses.delete_flow, "DeleteFlow: only a stopped flow, with its ENIs and tags"),
    _handler(_R, responses.start_flow, "StartFlow: STARTING, then ACTIVE"),
    _handler(_R, responses.stop_flow, "StopFlow: STOPPING, then STANDBY; ends an update window"),
    _handler(_A, responses.update_flow, "UpdateFlow: failover, maintenance, source monitoring, merged"),
    _handler(_R, responses.add_flow_outputs, "AddFlowOutputs: appended (moto replaced the list)"),
    _handler(_R, responses.remove_flow_output, "RemoveFlowOutput by ARN (moto compared names)"),
    _handler(_R, responses.update_flow_output, "UpdateFlowOutput: members left out keep their value"),
    _handler(_R, responses.add_flow_sources, "AddFlowSources: a second source needs failover"),
    _handler(_A, responses.remove_flow_source, "RemoveFlowSource: while the flow has two sources"),
    _handler(_R, responses.update_flow_source, "UpdateFlowSource: partial, asynchronous (202, UPDATING)"),
    _handler(_R, responses.add_flow_vpc_interfaces, "AddFlowVpcInterfaces: an ENI each, in the flow's AZ"),
    _handler(_R, responses.remove_flow_vpc_interface, "RemoveFlowVpcInterface: refused while in use"),
    _handler(_R, responses.grant_flow_entitlements, "GrantFlowEntitlements on an existing flow only"),
    _handler(_R, responses.tag_resource, "TagResource on a flow, output, source or entitlement"),
    _handler(_A, responses.untag_resource, "UntagResource"),
    _handler(_R, responses.list_tags_for_resource, "ListTagsForResource: {} when untagged"),
    Patch(How.EDIT, "moto.mediaconnect.urls:url_paths", responses.widen_url_paths,
          "ARNs end with the resource's name, which may contain dots (names like feed.primary)",
          "dict of 13 keys 157a6c2327c599bd"),
    Patch(How.WRAP, "moto.moto_api._internal.models:MotoAPIBackend.reset", asynchronous.after_moto_reset,
          "the emulator's own API: POST /moto-api/reset also forgets update windows and flow errors",
          "(self) -> None"),
    # --- CloudFormation models for MediaConnect (cloudformation/resources/mediaconnect.py) ----------
    _model(mediaconnect.MediaConnectFlow, "", _MEDIACONNECT_MODEL + "Flow"),
    _model(mediaconnect.MediaConnectFlowOutput, "", _MEDIACONNECT_MODEL + "FlowOutput"),
    _model(mediaconnect.MediaConnectFlowSource, "", _MEDIACONNECT_MODEL + "FlowSource"),
    _model(mediaconnect.MediaConnectFlowVpcInterface, "", _MEDIACONNECT_MODEL + "FlowVpcInterface"),
    # --- stack failures (cloudformation/failures.py) -----------------------------------------------
    Patch(How.WRAP, _PARSING + "parse_and_create_resource", failures.parse_and_create, _FAILURES, _RESOLVE),
    Patch(How.WRAP, _PARSING + "parse_and_update_resource", failures.parse_and_create, _FAILURES, _RESOLVE),
    Patch(How.WRAP, _PARSING + "ResourceMap._delete_resource", failures.delete_resource, _FAILURES,
          "(self, parsed_resource: Any, resource_json: dict[str, typing.Any]) -> None"),
    Patch(How.WRAP, _CFN + "Stack.create_resources", failures.create_resources, _FAILURES,
          "(self) -> 'None'"),
    Patch(How.WRAP, _CFN + "Stack.update", failures.update, _FAILURES, _STACK_UPDATE),
    Patch(How.WRAP, _CFN + "Stack.delete", failures.delete, _FAILURES, "(self) -> 'None'"),
    Patch(How.WRAP, _CFN + "CloudFormationBackend.delete_stack", failures.delete_stack, _FAILURES,
          "(self, name_or_stack_id: 'str') -> 'None'"),
    # --- change sets (cloudformation/changesets.py) ------------------------------------------------
    Patch(How.WRAP, _PARSING + "ResourceMap.build_resource_diff", changesets.build_resource_diff,
          _CHANGE_SETS,
          "(self, other_template: dict[str, typing.Any], parameters: dict[str, typing.Any] | None = None) "
          "-> dict[str, typing.Any]"),
    Patch(How.WRAP, _CFN + "ChangeSet.diff", changesets.change_set_diff, _CHANGE_SETS,
          "(self) -> 'list[Change]'"),
    Patch(How.WRAP, _CFN + "CloudFormationBackend.create_change_set", changesets.create_change_set,
          _CHANGE_SETS, _CREATE_CHANGE_SET),
    Patch(How.WRAP, _CFN + "CloudFormationBackend.execute_change_set", changesets.execute_change_set,
          _CHANGE_SETS, "(self, change_set_name: 'str', stack_name: 'str | None' = None) -> 'None'"),
    Patch(How.WRAP, "moto.cloudformation.responses:CloudFormationResponse.create_change_set",
          changesets.create_change_set_response, _CHANGE_SETS, "(self) -> moto.core.responses.ActionResult"),
    Patch(How.WRAP, "moto.cloudformation.responses:CloudFormationResponse.list_change_sets",
          changesets.list_change_sets, "AWS CloudFormation API Reference, ListChangeSets: of the given stack",
          "(self) -> moto.core.responses.ActionResult"),
    Patch(How.REPLACE, _CFN + "Stack.stack_resources", changesets.STACK_RESOURCES,
          "a resource whose Condition is false is not a stack resource (DescribeStackResources)",
          "property (self) -> 'Iterable[type[CloudFormationModel]]'"),
    Patch(How.ADD_ITEM, _RESPONSES + "CloudFormationResponse.RESPONSE_KEY_PATH_TO_TRANSFORMER",
          transform_dict, "AWS CloudFormation API Reference, DescribeChangeSet: Tags", ABSENT,
          key="DescribeChangeSetOutput.Tags"),
    # --- stack updates (cloudformation/updates.py): around the failure handling above --------------
    Patch(How.WRAP, _PARSING + "ResourceMap.update", updates.update_resource_map, _UPDATES + "; moto's own "
          "update is not called",
          "(self, template: dict[str, typing.Any], parameters: dict[str, typing.Any] | None = None) -> None"),
    Patch(How.WRAP, _PARSING + "parse_and_create_resource", updates.record_created,
          _UPDATES + ": the properties each resource was made with, compared on update", _RESOLVE),
    Patch(How.WRAP, _PARSING + "parse_and_update_resource", updates.parse_and_update, _UPDATES, _RESOLVE),
    Patch(How.WRAP, _CFN + "Stack.update", updates.stack_update, _UPDATES, _STACK_UPDATE),
    # --- YAML templates (cloudformation/templates_yaml.py) -----------------------------------------
    Patch(How.WRAP, _CFN + "yaml_tag_constructor", templates_yaml.yaml_tag_constructor, _YAML,
          "(loader: Any, tag: Any, node: Any) -> Any"),
    Patch(How.REPLACE, _CFN + "yaml", templates_yaml.LIBYAML, _LIBYAML, "module yaml",
          when=templates_yaml.has_libyaml),
    Patch(How.WRAP, "moto.cloudformation.responses:yaml_tag_constructor", templates_yaml.yaml_tag_constructor,
          _YAML, "(loader: Any, tag: Any, node: Any) -> Any"),
    Patch(How.REPLACE, "moto.cloudformation.responses:yaml", templates_yaml.LIBYAML, _LIBYAML, "module yaml",
          when=templates_yaml.has_libyaml),
    Patch(How.WRAP, "moto.cloudformation.utils:yaml_tag_constructor", templates_yaml.yaml_tag_constructor,
          _YAML, "(loader: Any, tag: Any, node: Any) -> Any"),
    Patch(How.REPLACE, "moto.cloudformation.utils:yaml", templates_yaml.LIBYAML, _LIBYAML, "module yaml",
          when=templates_yaml.has_libyaml),
    # --- CloudFormation models of other services (cloudformation/resources/) ----------------------
    _model(secrets.SecretsManagerSecret, "",
           "AWS CloudFormation Template Reference, AWS::SecretsManager::Secret"),
    _model(ec2.Ec2VpcPeeringConnection, _EC2 + "vpc_peering_connections.VPCPeeringConnection",
           "AWS CloudFormation Template Reference, AWS::EC2::VPCPeeringConnection: PeerRegion, accepted "
           "without a peering role in one account, deleted with its stack"),
    _model(ec2.Ec2Route, _EC2 + "route_tables.Route",
           "AWS CloudFormation Template Reference, AWS::EC2::Route: updated and deleted"),
    _model(ec2.Ec2RouteTable, _EC2 + "route_tables.RouteTable",
           "AWS CloudFormation Template Reference, AWS::EC2::RouteTable: updated and deleted"),
    _model(ec2.Ec2SubnetRouteTableAssociation, _EC2 + "subnets.SubnetRouteTableAssociation",
           "AWS CloudFormation Template Reference, AWS::EC2::SubnetRouteTableAssociation: a real "
           "association, deleted with its stack; one per subnet (Resource.AlreadyAssociated)"),
    _model(ec2_network.Ec2Vpc, _EC2 + "vpcs.VPC",
           "AWS CloudFormation Template Reference, AWS::EC2::VPC: updated in place, replaced by the stack "
           "update when CidrBlock changes"),
    _model(ec2_network.Ec2Subnet, _EC2 + "subnets.Subnet",
           "AWS CloudFormation Template Reference, AWS::EC2::Subnet: updated in place, replaced by the "
           "stack update when its zone, CIDR or VPC changes (InvalidSubnet.Conflict with the old one)"),
    _model(ec2_security.Ec2SecurityGroup, _EC2 + "security_groups.SecurityGroup",
           "AWS CloudFormation Template Reference, AWS::EC2::SecurityGroup: egress rules, rules revoked "
           "before the new ones are authorized (the dropped window recorded), the group kept"),
    _model(apigateway.ApiGatewayStage, "", "AWS CloudFormation Template Reference, AWS::ApiGateway::Stage"),
    _model(apigateway.ApiGatewayAuthorizer, "",
           "AWS CloudFormation Template Reference, AWS::ApiGateway::Authorizer"),
    _model(apigateway.CognitoUserPool, "", "AWS CloudFormation Template Reference, AWS::Cognito::UserPool"),
    _model(apigateway.CognitoUserPoolDomain, "",
           "AWS CloudFormation Template Reference, AWS::Cognito::UserPoolDomain"),
    _model(apigateway.CognitoUserPoolClient, "",
           "AWS CloudFormation Template Reference, AWS::Cognito::UserPoolClient"),
    _model(cloudwatch.CloudWatchAlarm, "", "AWS CloudFormation Template Reference, AWS::CloudWatch::Alarm"),
    # --- EC2 (ec2/subnets.py) -----------------------------------------------------------------------
    Patch(How.WRAP, _EC2 + "subnets:SubnetBackend.delete_subnet", subnets.delete_subnet,
          "Amazon EC2 API Reference, DeleteSubnet: DependencyViolation while network interfaces are in it",
          "(self, subnet_id: 'str') -> 'Subnet'"),
    Patch(How.WRAP, "moto.moto_api._internal.models:MotoAPIBackend.reset", traffic.after_moto_reset,
          "the emulator's own API: POST /moto-api/reset also forgets the dropped windows of security "
          "group rule changes (ec2/traffic.py)", "(self) -> None"),
    # --- what a source receives (mediaconnect/signal.py, monitor.py, metrics.py) -------------------
    Patch(How.ADD_ITEM, "moto.moto_api._internal.urls:url_paths", signal.control,
          "the emulator's own API, not AWS's: /moto-api/streamfabric/signal", ABSENT,
          key="{0}/moto-api/streamfabric/signal"),
    _handler(_A, monitor.describe_flow_source_metadata, "DescribeFlowSourceMetadata"),
    _handler(_A, monitor.describe_flow_source_thumbnail, "DescribeFlowSourceThumbnail"),
    Patch(How.ADD_ITEM, "moto.mediaconnect.urls:url_paths",
          monitor.URL_PATHS["{0}/v1/flows/(?P<flowarn>[^/]+)/source-metadata$"],
          f"{_API}, DescribeFlowSourceMetadata: GET /v1/flows/{{FlowArn}}/source-metadata", ABSENT,
          key="{0}/v1/flows/(?P<flowarn>[^/]+)/source-metadata$"),
    Patch(How.ADD_ITEM, "moto.mediaconnect.urls:url_paths",
          monitor.URL_PATHS["{0}/v1/flows/(?P<flowarn>[^/]+)/source-thumbnail$"],
          f"{_API}, DescribeFlowSourceThumbnail: GET /v1/flows/{{FlowArn}}/source-thumbnail", ABSENT,
          key="{0}/v1/flows/(?P<flowarn>[^/]+)/source-thumbnail$"),
    Patch(How.PROVIDER, "moto.core.common_models:CloudWatchMetricProvider.get_cloudwatch_metrics",
          metrics.MediaConnectMetrics,
          "MediaConnect User Guide, Metrics to monitor source health (AWS/MediaConnect, read by "
          "GetMetricData: moto asks every CloudWatchMetricProvider subclass)",
          "(account_id: str, region: str) -> Any"),
    # --- dispatch (dispatch.py) ---------------------------------------------------------------------
    Patch(How.WRAP, "moto.moto_server.werkzeug_app:DomainDispatcherApplication.get_backend_for_host",
          dispatch.backend_for_host, "speed, not behaviour: each host's backend is found once",
          "(self, host: str | None) -> Any"),
))  # fmt: skip

_lock = threading.Lock()


def install() -> None:
    """Apply every patch of :data:`REGISTRY`, in its order (idempotent, thread-safe)."""
    with _lock:
        for patch in REGISTRY:
            apply(patch)
