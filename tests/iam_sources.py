"""Every IAM policy document the project renders, with its intrinsics resolved to placeholder ARNs.

CloudFormation (``cloudformation/*.yaml``, decoded by cfn-lint's decoder): the inline ``Policies`` of
each ``AWS::IAM::Role`` and the ``PolicyDocument`` of each ``AWS::IAM::Policy`` /
``AWS::IAM::ManagedPolicy``. ``Fn::Sub`` / ``Ref`` / ``Fn::GetAtt`` / ``Fn::Join`` resolve to values of
the shape AWS gives them (pseudo parameters; a parameter's default, or a placeholder; a resource's
``Ref`` / ``Arn`` as its type's documented return value). Terraform (``terraform/iam.tf``, parsed by
python-hcl2): each ``data "aws_iam_policy_document"``; interpolations resolve the same way
(``aws_subnet.x.arn`` in x's region, the hop secret's ARN, ``replace(...)``, ``values(local.x)``).
Anything not taught here fails loudly, so a new kind of reference cannot slip past the check.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from cfnlint.decode import decode_str

from iam_policy import ACCOUNT, PARTITION

sys.path.insert(0, str(Path(__file__).resolve().parent / "render"))
from tf_tree import Interp, Tf, key, literal, template_parts

SUFFIX = "AbCdEf"  # Secrets Manager's 6-character ARN suffix


def _cfn_ref_value(rtype: str, logical: str, props: dict[str, Any], region: str) -> str:
    """What ``Ref`` returns for a resource (AWS resource and property types reference, "Return values")."""
    name = props.get("Name") or props.get("LogGroupName") or logical.lower()
    if rtype == "AWS::SecretsManager::Secret":
        return f"arn:{PARTITION}:secretsmanager:{region}:{ACCOUNT}:secret:{name}-{SUFFIX}"
    if rtype == "AWS::Logs::LogGroup":
        return str(name)
    if rtype == "AWS::EC2::Subnet":
        return "subnet-0123456789abcdef0"
    if rtype == "AWS::EC2::SecurityGroup":
        return "sg-0123456789abcdef0"
    raise AssertionError(f"Ref of a {rtype} ({logical}): teach iam_sources its return value")


def _cfn_getatt(rtype: str, logical: str, attr: str, props: dict[str, Any], region: str) -> str:
    if attr == "Arn" and rtype == "AWS::Logs::LogGroup":
        name = props.get("LogGroupName") or logical.lower()
        return f"arn:{PARTITION}:logs:{region}:{ACCOUNT}:log-group:{name}:*"
    if attr == "Arn" and rtype == "AWS::IAM::Role":
        return f"arn:{PARTITION}:iam::{ACCOUNT}:role/{logical}"
    raise AssertionError(f"GetAtt {logical}.{attr} of a {rtype}: teach iam_sources its shape")


class CfnResolver:
    def __init__(self, template: dict[str, Any], region: str) -> None:
        self.template = template
        self.region = region
        self.resources: dict[str, Any] = dict(template.get("Resources", {}))
        self.parameters: dict[str, Any] = dict(template.get("Parameters", {}))

    def ref(self, name: str) -> str:
        pseudo = {
            "AWS::Partition": PARTITION,
            "AWS::AccountId": ACCOUNT,
            "AWS::Region": self.region,
            "AWS::URLSuffix": "amazonaws.com",
        }
        if name in pseudo:
            return pseudo[name]
        if name in self.parameters:
            default = self.parameters[name].get("Default")
            if isinstance(default, str) and default:
                return default
            if name.endswith("Arn"):
                raise AssertionError(f"parameter {name} (an ARN) has no default: teach iam_sources its shape")
            return f"p-{name.lower()}"
        if name in self.resources:
            res = self.resources[name]
            return _cfn_ref_value(res["Type"], name, res.get("Properties", {}), self.region)
        raise AssertionError(f"Ref to unknown {name!r}")

    def getatt(self, logical: str, attr: str) -> str:
        res = self.resources[logical]
        return _cfn_getatt(res["Type"], logical, attr, res.get("Properties", {}), self.region)

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if not isinstance(value, dict):
            return str(value) if not isinstance(value, bool) else value
        if len(value) == 1:
            (fn, arg), *_ = value.items()
            if fn == "Ref":
                return self.ref(arg)
            if fn == "Fn::GetAtt":
                logical, attr = arg if isinstance(arg, list) else arg.split(".", 1)
                return self.getatt(logical, attr)
            if fn == "Fn::Sub":
                text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])
                local = {k: self.resolve(v) for k, v in variables.items()}

                def sub(m: re.Match[str]) -> str:
                    name = m.group(1)
                    if name in local:
                        return str(local[name])
                    if "." in name and not name.startswith("AWS::"):
                        return self.getatt(*name.split(".", 1))
                    return self.ref(name)

                return re.sub(r"\$\{([^}!]+)\}", sub, text)
            if fn == "Fn::Join":
                sep, items = arg
                return sep.join(str(self.resolve(i)) for i in items)
            if fn.startswith("Fn::") or fn == "Condition":
                raise AssertionError(f"{fn} in a policy: teach iam_sources to resolve it")
        return {k: self.resolve(v) for k, v in value.items()}


def cloudformation_policies(files: dict[str, str]) -> dict[str, dict[str, Any]]:
    """``{"<file>: <Logical>/<PolicyName>": resolved document}`` for every IAM policy in the templates."""
    out: dict[str, dict[str, Any]] = {}
    for path, text in sorted(files.items()):
        if not (path.startswith("cloudformation/") and path.endswith(".yaml")):
            continue
        template, matches = decode_str(text)
        assert not matches and template is not None, f"{path}: {matches}"
        region = path.split("/")[-1].removesuffix(".yaml").split("-", 1)[1]  # <kind>-<region>.yaml
        resolver = CfnResolver(template, region)
        for logical, res in template.get("Resources", {}).items():
            props = res.get("Properties", {})
            if res["Type"] == "AWS::IAM::Role":
                for pol in props.get("Policies", []):
                    out[f"{path}: {logical}/{pol['PolicyName']}"] = resolver.resolve(pol["PolicyDocument"])
            elif res["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
                out[f"{path}: {logical}"] = resolver.resolve(props["PolicyDocument"])
            elif res["Type"].startswith("AWS::IAM::") and res["Type"] != "AWS::IAM::InstanceProfile":
                raise AssertionError(f"{path}: {logical} is a {res['Type']}: teach iam_sources to read it")
    return out


class TfResolver:
    def __init__(self, tf: Tf) -> None:
        self.tf = tf
        self.aliases = tf.aliases

    def _region_of(self, body: dict[str, Any]) -> str:
        provider = body["provider"]
        assert provider.startswith("${aws.") and provider.endswith("}"), provider
        return self.aliases[provider[len("${aws.") : -1]]

    def expr(self, text: str) -> list[str]:
        text = text.strip()
        if text == "local.partition":
            return [PARTITION]
        if text == "local.account_id":
            return [ACCOUNT]
        m = re.fullmatch(r"values\(local\.(\w+)\)", text)
        if m:
            value = self.tf.locals[m.group(1)]
            items = value[0] if isinstance(value, list) else value
            return [v for raw in items.values() for v in self.value(raw)]
        m = re.fullmatch(r'replace\((.+), ("[^"]*"), ("[^"]*")\)', text)
        if m:
            old, new = literal(m.group(2)), literal(m.group(3))
            return [v.replace(old, new) for v in self.expr(m.group(1))]
        m = re.fullmatch(r"(data\.)?(\w+)\.(\w+)\.arn", text)
        if m:
            kind, rtype, name = ("data" if m.group(1) else "resource"), m.group(2), m.group(3)
            index = self.tf.data if kind == "data" else self.tf.resources
            body = index[(rtype, name)]
            region = self._region_of(body)
            if rtype == "aws_subnet":
                return [f"arn:{PARTITION}:ec2:{region}:{ACCOUNT}:subnet/subnet-0123456789abcdef0"]
            if rtype == "aws_security_group":
                return [f"arn:{PARTITION}:ec2:{region}:{ACCOUNT}:security-group/sg-0123456789abcdef0"]
            if rtype == "aws_cloudwatch_log_group":
                return [f"arn:{PARTITION}:logs:{region}:{ACCOUNT}:log-group:{literal(body['name'])}"]
            if rtype == "aws_secretsmanager_secret":
                if "arn" in body:
                    return [literal(body["arn"])]
                return [
                    f"arn:{PARTITION}:secretsmanager:{region}:{ACCOUNT}:secret:{literal(body['name'])}-{SUFFIX}"
                ]
        raise AssertionError(f"Terraform expression {text!r} in a policy: teach iam_sources its shape")

    def value(self, raw: Any) -> list[str]:
        if isinstance(raw, list):
            return [v for item in raw for v in self.value(item)]
        assert isinstance(raw, str), raw
        if raw.startswith('"'):
            outs = [""]
            for part in template_parts(raw):
                if isinstance(part, Interp):
                    values = self.expr(part.expr)
                    outs = [o + v for o in outs for v in values]
                else:
                    outs = [o + part for o in outs]
            return outs
        assert raw.startswith("${") and raw.endswith("}"), raw
        return self.expr(raw[2:-1])


def terraform_policies(files: dict[str, str]) -> dict[str, dict[str, Any]]:
    """``{"terraform/<file>: <document name>": document}`` for every ``aws_iam_policy_document``."""
    tf = Tf.parse({p: t for p, t in files.items() if p.startswith("terraform/")})
    resolver = TfResolver(tf)
    out: dict[str, dict[str, Any]] = {}
    for (dtype, name), body in sorted(tf.data.items()):
        if dtype != "aws_iam_policy_document":
            continue
        statements = []
        for st in body.get("statement", []):
            assert "not_actions" not in st and "not_resources" not in st, st
            doc: dict[str, Any] = {
                "Sid": literal(st["sid"]),
                "Effect": literal(st.get("effect", '"Allow"')),
                "Action": [literal(a) for a in st["actions"]],
            }
            if "principals" in st:  # a trust policy: no Resource
                doc["Principal"] = [
                    {key(k): v for k, v in p.items() if not k.startswith("__")} for p in st["principals"]
                ]
            else:
                doc["Resource"] = resolver.value(st["resources"])
            statements.append(doc)
        out[f"{tf.where[('data', dtype, name)]}: {name}"] = {"Version": "2012-10-17", "Statement": statements}
    return out


def is_trust_policy(document: dict[str, Any]) -> bool:
    return all("Principal" in st for st in document.get("Statement", []))
