"""Change sets in the sandbox as CloudFormation runs them
(:mod:`streamfabric.sandbox.cloudformation.changesets`):
outputs, parameters, tags and description after ExecuteChangeSet, FAILED change sets without changes,
complete ``Changes``, rollbacks; and the other fixed gaps of stacks: DELETE_FAILED for any stack
(a subnet with interfaces cannot be deleted), no resource re-created after a delete, and the presets
of a hosted zone and secrets with given ids."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from streamfabric.sandbox.cloudformation.changesets import NO_CHANGES
from streamfabric.sandbox.cloudformation.diff import references
from streamfabric.sandbox.presets import PresetError, preset_hosted_zone, preset_secret

REGION = "eu-west-1"


def _client(service: str, endpoint: str, region: str = REGION) -> Any:
    return boto3.client(service, region_name=region, endpoint_url=endpoint)


@pytest.fixture()
def cfn(aws: str) -> Any:
    return _client("cloudformation", aws)


def _template(description: str = "first") -> dict[str, Any]:
    return {
        "Description": f"change sets: {description}",
        "Parameters": {
            "Word": {"Type": "String"},
            "Timeout": {"Type": "Number", "Default": "30"},
            "WithTopic": {"Type": "String", "Default": "no"},
        },
        "Conditions": {"HasTopic": {"Fn::Equals": [{"Ref": "WithTopic"}, "yes"]}},
        "Resources": {
            "Secret": {
                "Type": "AWS::SecretsManager::Secret",
                "Properties": {"Name": "cs/secret", "SecretString": {"Fn::Sub": "value-${Word}"}},
            },
            "Queue": {
                "Type": "AWS::SQS::Queue",
                "Properties": {"QueueName": "cs-queue", "VisibilityTimeout": {"Ref": "Timeout"}},
            },
            "Topic": {"Type": "AWS::SNS::Topic", "Condition": "HasTopic", "Properties": {"TopicName": "cs"}},
        },
        "Outputs": {
            "SecretArn": {"Value": {"Ref": "Secret"}, "Export": {"Name": "cs-secret"}},
            "Word": {"Value": {"Fn::Sub": "word-${Word}"}},
            "QueueArn": {"Value": {"Fn::GetAtt": ["Queue", "Arn"]}},
            "TopicArn": {"Condition": "HasTopic", "Value": {"Ref": "Topic"}},
        },
    }


def _parameters(**values: str) -> list[dict[str, str]]:
    return [{"ParameterKey": key, "ParameterValue": value} for key, value in values.items()]


def _change_set(
    cfn: Any, name: str, kind: str, template: dict[str, Any], stack: str = "cs", **kwargs: Any
) -> dict[str, Any]:
    cfn.create_change_set(
        StackName=stack, ChangeSetName=name, ChangeSetType=kind, TemplateBody=json.dumps(template), **kwargs
    )
    described = cfn.describe_change_set(StackName=stack, ChangeSetName=name)
    described.pop("ResponseMetadata")
    return dict(described)


def _stack(cfn: Any, name: str = "cs") -> dict[str, Any]:
    return dict(cfn.describe_stacks(StackName=name)["Stacks"][0])


def _outputs(stack: dict[str, Any]) -> dict[str, str]:
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs") or []}


def _changes(change_set: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    """LogicalResourceId -> (Action, Scope..., "physical" when it has a PhysicalResourceId)."""
    found = {}
    for change in change_set["Changes"]:
        rc = change["ResourceChange"]
        physical = ("physical",) if rc.get("PhysicalResourceId") else ()
        found[rc["LogicalResourceId"]] = (rc["Action"], *rc.get("Scope", []), *physical)
    return found


def _resources(cfn: Any, name: str = "cs") -> list[str]:
    summaries = cfn.list_stack_resources(StackName=name)["StackResourceSummaries"]
    return sorted(r["LogicalResourceId"] for r in summaries)


def _events(cfn: Any, name: str = "cs") -> list[tuple[str, str, str]]:
    """(logical id, status, reason) of the failure events, oldest first."""
    events = cfn.describe_stack_events(StackName=name)["StackEvents"]
    return [
        (e["LogicalResourceId"], e["ResourceStatus"], e.get("ResourceStatusReason") or "")
        for e in reversed(events)
        if "FAILED" in e["ResourceStatus"]
    ]


def test_create_change_set_gives_the_stack_its_outputs_parameters_tags_and_description(
    aws: str, cfn: Any
) -> None:
    change_set = _change_set(
        cfn,
        "c1",
        "CREATE",
        _template(),
        Parameters=_parameters(Word="one"),
        Tags=[{"Key": "team", "Value": "a"}],
    )
    assert (change_set["Status"], change_set["ExecutionStatus"]) == ("CREATE_COMPLETE", "AVAILABLE")
    assert change_set["Tags"] == [{"Key": "team", "Value": "a"}]
    assert _changes(change_set) == {"Secret": ("Add",), "Queue": ("Add",)}  # Topic: condition false
    assert _stack(cfn)["StackStatus"] == "REVIEW_IN_PROGRESS"

    cfn.execute_change_set(StackName="cs", ChangeSetName="c1")

    stack = _stack(cfn)
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    assert stack["Description"] == "change sets: first"
    outputs = _outputs(stack)
    secret = _client("secretsmanager", aws).describe_secret(SecretId="cs/secret")
    assert outputs == {
        "SecretArn": secret["ARN"],
        "Word": "word-one",
        "QueueArn": f"arn:aws:sqs:{REGION}:123456789012:cs-queue",
    }
    assert {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]} == {
        "Word": "one",
        "Timeout": "30",
        "WithTopic": "no",
    }
    assert stack["Tags"] == [{"Key": "team", "Value": "a"}]
    assert {t["Key"]: t["Value"] for t in secret["Tags"]}["team"] == "a"
    assert [(e["Name"], e["Value"]) for e in cfn.list_exports()["Exports"]] == [("cs-secret", secret["ARN"])]
    executed = cfn.describe_change_set(StackName="cs", ChangeSetName="c1")
    assert executed["ExecutionStatus"] == "EXECUTE_COMPLETE"
    assert _resources(cfn) == ["Queue", "Secret"]  # not the Topic: its condition is false
    with pytest.raises(ClientError):
        cfn.describe_stack_resource(StackName="cs", LogicalResourceId="Topic")

    # another stack imports the export through its own change set
    importer = {
        "Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "importer"}}},
        "Outputs": {"Imported": {"Value": {"Fn::ImportValue": "cs-secret"}}},
    }
    _change_set(cfn, "i1", "CREATE", importer, stack="importer")
    cfn.execute_change_set(StackName="importer", ChangeSetName="i1")
    assert _outputs(_stack(cfn, "importer")) == {"Imported": secret["ARN"]}


def test_update_change_sets_list_their_changes_and_apply_them(aws: str, cfn: Any) -> None:
    sm, sqs = _client("secretsmanager", aws), _client("sqs", aws)
    _change_set(cfn, "c1", "CREATE", _template(), Parameters=_parameters(Word="one"))
    cfn.execute_change_set(StackName="cs", ChangeSetName="c1")
    before = _outputs(_stack(cfn))

    # a parameter used through Fn::Sub only: the template is the same
    change_set = _change_set(cfn, "c2", "UPDATE", _template(), Parameters=_parameters(Word="two"))
    assert change_set["Status"] == "CREATE_COMPLETE"
    assert _changes(change_set) == {"Secret": ("Modify", "Properties", "physical")}
    [change] = change_set["Changes"]
    assert change["ResourceChange"]["PhysicalResourceId"] == before["SecretArn"]
    # SecretString is not create-only (the resource schema): updated in place; a parameter's change
    # is two details, Dynamic/DirectModification and Static/ParameterReference (User Guide samples)
    assert change["ResourceChange"]["Replacement"] == "False"
    target = {"Attribute": "Properties", "Name": "SecretString", "RequiresRecreation": "Never"}
    assert change["ResourceChange"]["Details"] == [
        {"Target": target, "Evaluation": "Dynamic", "ChangeSource": "DirectModification"},
        {
            "Target": target,
            "Evaluation": "Static",
            "ChangeSource": "ParameterReference",
            "CausingEntity": "Word",
        },
    ]
    # a second change set for the same stack, dropped when the first one is executed
    _change_set(cfn, "c3", "UPDATE", _template("third"), Parameters=_parameters(Word="three"))
    assert [s["ChangeSetName"] for s in cfn.list_change_sets(StackName="cs")["Summaries"]] == [
        "c1",
        "c2",
        "c3",
    ]

    cfn.execute_change_set(StackName="cs", ChangeSetName="c2")

    stack = _stack(cfn)
    assert stack["StackStatus"] == "UPDATE_COMPLETE"
    assert _outputs(stack) == {**before, "Word": "word-two"}
    assert {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]}["Word"] == "two"
    assert sm.get_secret_value(SecretId="cs/secret")["SecretString"] == "value-two"
    assert [
        (s["ChangeSetName"], s["ExecutionStatus"]) for s in cfn.list_change_sets(StackName="cs")["Summaries"]
    ] == [("c2", "EXECUTE_COMPLETE")]

    # a condition turned true adds a resource, a new default and new tags modify the rest
    template = _template("fourth")
    template["Parameters"]["Timeout"]["Default"] = "60"
    change_set = _change_set(
        cfn,
        "c4",
        "UPDATE",
        template,
        Parameters=_parameters(Word="two", WithTopic="yes"),
        Tags=[{"Key": "team", "Value": "b"}],
    )
    assert _changes(change_set) == {
        "Topic": ("Add",),
        "Queue": ("Modify", "Properties", "physical"),
        "Secret": ("Modify", "Tags", "physical"),
    }
    assert change_set["Tags"] == [{"Key": "team", "Value": "b"}]
    cfn.execute_change_set(StackName="cs", ChangeSetName="c4")
    stack = _stack(cfn)
    assert stack["StackStatus"] == "UPDATE_COMPLETE"
    assert stack["Description"] == "change sets: fourth"
    assert stack["Tags"] == [{"Key": "team", "Value": "b"}]
    assert _outputs(stack)["TopicArn"] == f"arn:aws:sns:{REGION}:123456789012:cs"
    url = sqs.get_queue_url(QueueName="cs-queue")["QueueUrl"]
    assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])["Attributes"] == {
        "VisibilityTimeout": "60"
    }

    # and turned false again removes it
    change_set = _change_set(cfn, "c5", "UPDATE", template, Parameters=_parameters(Word="two"))
    assert _changes(change_set) == {"Topic": ("Remove", "physical")}
    cfn.execute_change_set(StackName="cs", ChangeSetName="c5")
    assert "TopicArn" not in _outputs(_stack(cfn))
    assert _client("sns", aws).list_topics()["Topics"] == []
    assert _resources(cfn) == ["Queue", "Secret"]
    change_set = _change_set(cfn, "c6", "UPDATE", template, Parameters=_parameters(Word="six"))
    assert _changes(change_set) == {"Secret": ("Modify", "Properties", "physical")}  # Topic is gone


def test_change_set_without_changes_fails_as_cloudformation_says_and_cannot_run(cfn: Any) -> None:
    _change_set(
        cfn,
        "c1",
        "CREATE",
        _template(),
        Parameters=_parameters(Word="one"),
        Tags=[{"Key": "t", "Value": "1"}],
    )
    cfn.execute_change_set(StackName="cs", ChangeSetName="c1")

    same = _change_set(
        cfn,
        "c2",
        "UPDATE",
        _template(),
        Parameters=_parameters(Word="one", Timeout="30"),
        Tags=[{"Key": "t", "Value": "1"}],
    )
    assert (same["Status"], same["ExecutionStatus"]) == ("FAILED", "UNAVAILABLE")
    assert same["StatusReason"] == NO_CHANGES
    assert same["Changes"] == []
    with pytest.raises(ClientError) as refused:
        cfn.execute_change_set(StackName="cs", ChangeSetName="c2")
    assert refused.value.response["Error"]["Code"] == "InvalidChangeSetStatus"
    cfn.delete_change_set(StackName="cs", ChangeSetName="c2")
    assert _stack(cfn)["StackStatus"] == "CREATE_COMPLETE"

    with pytest.raises(ClientError) as missing:
        cfn.execute_change_set(StackName="cs", ChangeSetName="nope")
    assert missing.value.response["Error"]["Code"] == "ChangeSetNotFound"

    # new tags alone are a change
    tags_only = _change_set(
        cfn,
        "c3",
        "UPDATE",
        _template(),
        Parameters=_parameters(Word="one"),
        Tags=[{"Key": "t", "Value": "2"}],
    )
    assert tags_only["Status"] == "CREATE_COMPLETE"
    assert set(_changes(tags_only).values()) == {("Modify", "Tags", "physical")}


def test_change_set_with_a_missing_parameter_is_refused_and_leaves_no_stack(cfn: Any) -> None:
    with pytest.raises(ClientError) as refused:
        _change_set(cfn, "c1", "CREATE", _template())
    assert refused.value.response["Error"]["Code"] == "ValidationError"
    assert "Word" in refused.value.response["Error"]["Message"]
    assert cfn.list_stacks()["StackSummaries"] == []


def test_failing_change_sets_roll_back(aws: str, cfn: Any) -> None:
    sm = _client("secretsmanager", aws)
    sm.create_secret(Name="cs/taken", SecretString="mine")
    template = _template()
    template["Resources"]["Taken"] = {
        "Type": "AWS::SecretsManager::Secret",
        "Properties": {"Name": "cs/taken", "SecretString": "theirs"},
    }
    _change_set(cfn, "c1", "CREATE", template, Parameters=_parameters(Word="one"))
    cfn.execute_change_set(StackName="cs", ChangeSetName="c1")
    stack = _stack(cfn)
    assert stack["StackStatus"] == "ROLLBACK_COMPLETE"
    assert "Outputs" not in stack
    assert cfn.describe_change_set(StackName="cs", ChangeSetName="c1")["ExecutionStatus"] == "EXECUTE_FAILED"
    failures = _events(cfn)
    assert ("Taken", "CREATE_FAILED") in [(e[0], e[1]) for e in failures]
    assert any("already exists" in reason for _, _, reason in failures)
    assert [s["Name"] for s in sm.list_secrets(IncludePlannedDeletion=True)["SecretList"]] == ["cs/taken"]
    cfn.delete_stack(StackName="cs")

    _change_set(cfn, "c2", "CREATE", _template(), Parameters=_parameters(Word="one"))
    cfn.execute_change_set(StackName="cs", ChangeSetName="c2")
    before = _outputs(_stack(cfn))
    _change_set(cfn, "c3", "UPDATE", template, Parameters=_parameters(Word="two"))
    cfn.execute_change_set(StackName="cs", ChangeSetName="c3")
    stack = _stack(cfn)
    assert stack["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    assert _outputs(stack) == before
    assert {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]}["Word"] == "one"
    assert sm.get_secret_value(SecretId="cs/secret")["SecretString"] == "value-one"
    assert sm.get_secret_value(SecretId="cs/taken")["SecretString"] == "mine"


def test_list_change_sets_lists_only_the_stacks_own(cfn: Any) -> None:
    for stack in ("one", "two"):
        _change_set(
            cfn, f"{stack}-cs", "CREATE", _template(), stack=stack, Parameters=_parameters(Word=stack)
        )
    assert [s["ChangeSetName"] for s in cfn.list_change_sets(StackName="two")["Summaries"]] == ["two-cs"]


def test_references_reads_ref_and_sub() -> None:
    fragment = {
        "A": {"Ref": "One"},
        "B": {"Fn::Sub": "x-${Two}-${Res.Attr}-${!Literal}"},
        "C": [{"Fn::Sub": ["${Var}-${Three}", {"Var": {"Ref": "Four"}}]}],
    }
    assert references(fragment) == {"One", "Two", "Res", "Three", "Four"}


# --- DELETE_FAILED for any stack ---------------------------------------------------------------


def _network_template() -> dict[str, Any]:
    return {
        "Resources": {
            "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.5.0.0/16"}},
            "Subnet": {
                "Type": "AWS::EC2::Subnet",
                "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.5.1.0/24"},
            },
            "Group": {
                "Type": "AWS::EC2::SecurityGroup",
                "Properties": {"GroupDescription": "flows", "VpcId": {"Ref": "Vpc"}},
            },
        },
        "Outputs": {"SubnetId": {"Value": {"Ref": "Subnet"}}, "VpcId": {"Value": {"Ref": "Vpc"}}},
    }


def test_network_stack_whose_subnet_has_an_interface_is_delete_failed_then_deleted(
    aws: str, cfn: Any
) -> None:
    ec2 = _client("ec2", aws)
    cfn.create_stack(StackName="net", TemplateBody=json.dumps(_network_template()))
    stack = _stack(cfn, "net")
    outputs = _outputs(stack)
    eni = ec2.create_network_interface(SubnetId=outputs["SubnetId"])["NetworkInterface"]["NetworkInterfaceId"]

    cfn.delete_stack(StackName="net")  # accepted, as AWS does

    failed = _stack(cfn, "net")
    assert failed["StackStatus"] == "DELETE_FAILED"
    assert _outputs(failed) == outputs
    failures = _events(cfn, "net")
    subnet = outputs["SubnetId"]
    why = f"DependencyViolation: The subnet '{subnet}' has dependencies and cannot be deleted."
    assert ("Subnet", "DELETE_FAILED", why) in failures
    [(_, _, reason)] = [e for e in failures if e[0] == "net"]
    assert reason.startswith("The following resource(s) failed to delete: [Subnet, Vpc].")
    assert ec2.describe_subnets(SubnetIds=[outputs["SubnetId"]])["Subnets"]
    resources = cfn.list_stack_resources(StackName=stack["StackId"])["StackResourceSummaries"]
    assert sorted(r["LogicalResourceId"] for r in resources) == ["Subnet", "Vpc"]  # the group went

    with pytest.raises(ClientError):  # the same rule for the API
        ec2.delete_subnet(SubnetId=outputs["SubnetId"])
    ec2.delete_network_interface(NetworkInterfaceId=eni)
    cfn.delete_stack(StackName="net")
    assert [s["StackStatus"] for s in cfn.list_stacks()["StackSummaries"]] == ["DELETE_COMPLETE"]
    # the deleted stack's resources are not created again by looking at them
    assert cfn.list_stack_resources(StackName=stack["StackId"])["StackResourceSummaries"] == []
    assert [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"] if not v["IsDefault"]] == []


def test_stack_with_a_failing_moto_resource_rolls_back_instead_of_an_http_error(aws: str, cfn: Any) -> None:
    template = _network_template()
    template["Resources"]["Clash"] = {  # the same CIDR twice in one VPC
        "Type": "AWS::EC2::Subnet",
        "DependsOn": "Subnet",
        "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.5.1.0/24"},
    }
    cfn.create_stack(StackName="net", TemplateBody=json.dumps(template))
    assert _stack(cfn, "net")["StackStatus"] == "ROLLBACK_COMPLETE"
    assert [(e[0], e[1]) for e in _events(cfn, "net")] == [
        ("Clash", "CREATE_FAILED"),
        ("net", "CREATE_FAILED"),
    ]
    ec2 = _client("ec2", aws)
    assert [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"] if not v["IsDefault"]] == []


# --- presets ----------------------------------------------------------------------------------


def test_preset_hosted_zone_has_the_given_id_and_takes_record_sets(aws: str, cfn: Any) -> None:
    assert preset_hosted_zone("/hostedzone/Z0123456789ABCDEFGHIJ", "example.org") == "Z0123456789ABCDEFGHIJ"
    assert (
        preset_hosted_zone("Z0123456789ABCDEFGHIJ", "example.org.") == "Z0123456789ABCDEFGHIJ"
    )  # again: same
    with pytest.raises(PresetError):
        preset_hosted_zone("Z0123456789ABCDEFGHIJ", "example.com")
    route53 = _client("route53", aws, "us-east-1")
    zone = route53.get_hosted_zone(Id="Z0123456789ABCDEFGHIJ")["HostedZone"]
    assert zone["Name"] == "example.org."
    template = {
        "Resources": {
            "Record": {
                "Type": "AWS::Route53::RecordSet",
                "Properties": {
                    "HostedZoneId": "Z0123456789ABCDEFGHIJ",
                    "Name": "live.example.org",
                    "Type": "A",
                    "TTL": "60",
                    "ResourceRecords": ["192.0.2.1"],
                },
            }
        }
    }
    cfn.create_stack(StackName="dns", TemplateBody=json.dumps(template))
    assert _stack(cfn, "dns")["StackStatus"] == "CREATE_COMPLETE"
    records = route53.list_resource_record_sets(HostedZoneId="Z0123456789ABCDEFGHIJ")["ResourceRecordSets"]
    assert sorted(r["Type"] for r in records) == ["A", "NS", "SOA"]


def test_preset_secret_by_arn_has_that_arn_and_by_name_is_idempotent(aws: str) -> None:
    arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:festival/ingest/nyc-studio-Xy12Zq"
    assert preset_secret("eu-west-1", arn, "first") == arn  # the ARN's region wins
    sm = _client("secretsmanager", aws, "us-east-1")
    assert sm.describe_secret(SecretId=arn)["Name"] == "festival/ingest/nyc-studio"
    assert preset_secret("us-east-1", arn, "second") == arn
    assert sm.get_secret_value(SecretId=arn)["SecretString"] == "second"
    with pytest.raises(PresetError):
        preset_secret("us-east-1", arn.replace("Xy12Zq", "AbCdEf"), "third")

    by_name = preset_secret("eu-west-1", "festival/hop", "hop")
    assert by_name.startswith("arn:aws:secretsmanager:eu-west-1:123456789012:secret:festival/hop-")
    assert preset_secret("eu-west-1", "festival/hop", "hop") == by_name
    assert _client("secretsmanager", aws).get_secret_value(SecretId="festival/hop")["SecretString"] == "hop"
