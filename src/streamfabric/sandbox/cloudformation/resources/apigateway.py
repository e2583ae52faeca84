"""CloudFormation models moto 5.2 lacks for an API Gateway REST API behind Cognito:
``AWS::ApiGateway::Stage``, ``AWS::ApiGateway::Authorizer``, ``AWS::Cognito::UserPool``,
``AWS::Cognito::UserPoolDomain`` and ``AWS::Cognito::UserPoolClient`` (without them moto skips the
types with a warning and the stack "succeeds" without them).

Each calls moto's own backend, i.e. the same operations as the API, so what a stack makes is what
``get_stage`` / ``get_authorizers`` / ``describe_user_pool`` then show. Ref and GetAtt follow the
CloudFormation User Guide's resource pages (docs.aws.amazon.com/AWSCloudFormation/latest/
TemplateReference/aws-resource-apigateway-stage.html and the pages of the other four types):

* Stage: Ref is the stage name. ``MethodSettings`` and ``AccessLogSetting`` are applied with
  UpdateStage patch operations (API Gateway API Reference, UpdateStage / "PATCH operations":
  ``/{resource}/{method}/throttling/rateLimit``, ``/accessLogSettings/destinationArn``).
* Authorizer: Ref is the authorizer id.
* UserPool: Ref is the pool id; GetAtt ``Arn``, ``ProviderName``, ``ProviderURL``.
* UserPoolDomain: Ref is the domain prefix.
* UserPoolClient: Ref is the client id.

Updates replace the resource (delete, create): CloudFormation updates most of these properties in
place, but nothing here reads a physical id that a replacement would change, so the conservative
choice is the simplest faithful one. Deleting a resource already gone is not an error (CloudFormation
treats it as deleted).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from moto.apigateway.models import apigateway_backends
from moto.cognitoidp.models import cognitoidp_backends
from moto.core.common_models import CloudFormationModel


@contextlib.contextmanager
def _gone_is_fine() -> Iterator[None]:
    try:
        yield
    except Exception as exc:  # moto's not-found errors differ per service
        if "NotFound" not in type(exc).__name__ and not isinstance(exc, KeyError):
            raise


class _Replaced:
    """Shared create/update/delete plumbing: subclasses implement ``_create`` and ``_delete``
    (a mixin: moto finds models among the direct subclasses of ``CloudFormationModel``)."""

    def __init__(self, account_id: str, region: str, properties: dict[str, Any], ref: str) -> None:
        self.account_id, self.region, self.properties, self.ref = account_id, region, properties, ref

    @property
    def physical_resource_id(self) -> str:
        return self.ref

    @classmethod
    def _create(cls, account_id: str, region: str, name: str, properties: dict[str, Any]) -> _Replaced:
        raise NotImplementedError

    def _delete(self) -> None:
        raise NotImplementedError

    @classmethod
    def create_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str,
        **kwargs: Any,
    ) -> _Replaced:  # fmt: skip
        properties = cloudformation_json.get("Properties") or {}
        return cls._create(account_id, region_name, resource_name, properties)

    @classmethod
    def update_from_cloudformation_json(
        cls, original_resource: _Replaced, new_resource_name: str, cloudformation_json: dict[str, Any],
        account_id: str, region_name: str,
    ) -> _Replaced:  # fmt: skip
        original_resource._delete()
        return cls.create_from_cloudformation_json(
            new_resource_name, cloudformation_json, account_id, region_name
        )

    def delete(self, account_id: str, region_name: str) -> None:
        with _gone_is_fine():
            self._delete()


def _deployment_id(value: Any) -> str:
    """``Ref`` of moto's own AWS::ApiGateway::Deployment model gives the model (it has no physical
    id); CloudFormation's Ref is the deployment id."""
    if isinstance(value, str):
        return value
    found = getattr(value, "id", None)
    return str(found if found is not None else value["id"])


class ApiGatewayStage(_Replaced, CloudFormationModel):
    """AWS::ApiGateway::Stage."""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGateway::Stage"

    @classmethod
    def _create(cls, account_id: str, region: str, name: str, properties: dict[str, Any]) -> _Replaced:
        backend = apigateway_backends[account_id][region]
        api_id, stage_name = str(properties["RestApiId"]), str(properties["StageName"])
        tags = {str(t["Key"]): str(t["Value"]) for t in properties.get("Tags") or []}
        backend.create_stage(
            function_id=api_id, stage_name=stage_name,
            deploymentId=_deployment_id(properties["DeploymentId"]),
            variables=properties.get("Variables"), description=str(properties.get("Description", "")),
            tags=tags or None, tracing_enabled=bool(properties.get("TracingEnabled", False)),
        )  # fmt: skip
        operations = []
        for setting in properties.get("MethodSettings") or []:
            resource = str(setting.get("ResourcePath", "/*")).lstrip("/").replace("/", "~1")
            path = f"/{resource}/{setting.get('HttpMethod', '*')}"
            for member, op in (("ThrottlingBurstLimit", "throttling/burstLimit"),
                               ("ThrottlingRateLimit", "throttling/rateLimit")):  # fmt: skip
                if member in setting:
                    value = str(setting[member])
                    operations.append({"op": "replace", "path": f"{path}/{op}", "value": value})
        access = properties.get("AccessLogSetting") or {}
        for member, op in (("DestinationArn", "destinationArn"), ("Format", "format")):
            if member in access:
                operations.append(
                    {"op": "replace", "path": f"/accessLogSettings/{op}", "value": str(access[member])}
                )
        if operations:
            backend.update_stage(api_id, stage_name, operations)
        return cls(account_id, region, properties, stage_name)

    def _delete(self) -> None:
        backend = apigateway_backends[self.account_id][self.region]
        backend.delete_stage(str(self.properties["RestApiId"]), self.ref)


class ApiGatewayAuthorizer(_Replaced, CloudFormationModel):
    """AWS::ApiGateway::Authorizer."""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGateway::Authorizer"

    @classmethod
    def _create(cls, account_id: str, region: str, name: str, properties: dict[str, Any]) -> _Replaced:
        backend = apigateway_backends[account_id][region]
        found = backend.create_authorizer(
            str(properties["RestApiId"]), str(properties.get("Name") or name), str(properties["Type"]),
            provider_arns=[str(a) for a in properties.get("ProviderARNs") or []] or None,
            auth_type=properties.get("AuthType"), authorizer_uri=properties.get("AuthorizerUri"),
            authorizer_credentials=properties.get("AuthorizerCredentials"),
            identity_source=properties.get("IdentitySource"),
            identiy_validation_expression=properties.get("IdentityValidationExpression"),
            authorizer_result_ttl=properties.get("AuthorizerResultTtlInSeconds"),
        )  # fmt: skip
        return cls(account_id, region, properties, str(found.id))

    def _delete(self) -> None:
        backend = apigateway_backends[self.account_id][self.region]
        backend.delete_authorizer(str(self.properties["RestApiId"]), self.ref)


class CognitoUserPool(_Replaced, CloudFormationModel):
    """AWS::Cognito::UserPool."""

    arn = ""
    provider = ""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::Cognito::UserPool"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in ("Arn", "ProviderName", "ProviderURL")

    def get_cfn_attribute(self, attribute_name: str) -> str:
        if attribute_name == "Arn":
            return self.arn
        if attribute_name == "ProviderName":
            return self.provider
        return f"https://{self.provider}"

    @classmethod
    def _create(cls, account_id: str, region: str, name: str, properties: dict[str, Any]) -> _Replaced:
        backend = cognitoidp_backends[account_id][region]
        config = {k: v for k, v in properties.items() if k not in ("UserPoolName", "UserPoolTags")}
        if properties.get("UserPoolTags"):
            config["UserPoolTags"] = dict(properties["UserPoolTags"])
        pool = backend.create_user_pool(str(properties.get("UserPoolName") or name), config)
        made = cls(account_id, region, properties, str(pool.id))
        made.arn = str(pool.arn)
        made.provider = f"cognito-idp.{region}.amazonaws.com/{pool.id}"
        return made

    def _delete(self) -> None:
        cognitoidp_backends[self.account_id][self.region].delete_user_pool(self.ref)


class CognitoUserPoolDomain(_Replaced, CloudFormationModel):
    """AWS::Cognito::UserPoolDomain."""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::Cognito::UserPoolDomain"

    @classmethod
    def _create(cls, account_id: str, region: str, name: str, properties: dict[str, Any]) -> _Replaced:
        backend = cognitoidp_backends[account_id][region]
        domain = str(properties["Domain"])
        pool = str(properties["UserPoolId"])
        backend.create_user_pool_domain(pool, domain, properties.get("CustomDomainConfig"))
        return cls(account_id, region, properties, domain)

    def _delete(self) -> None:
        cognitoidp_backends[self.account_id][self.region].delete_user_pool_domain(self.ref)


class CognitoUserPoolClient(_Replaced, CloudFormationModel):
    """AWS::Cognito::UserPoolClient."""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::Cognito::UserPoolClient"

    @classmethod
    def _create(cls, account_id: str, region: str, name: str, properties: dict[str, Any]) -> _Replaced:
        backend = cognitoidp_backends[account_id][region]
        config = {k: v for k, v in properties.items() if k not in ("UserPoolId", "GenerateSecret")}
        client = backend.create_user_pool_client(
            str(properties["UserPoolId"]), bool(properties.get("GenerateSecret", False)), config
        )
        return cls(account_id, region, properties, str(client.id))

    def _delete(self) -> None:
        backend = cognitoidp_backends[self.account_id][self.region]
        backend.delete_user_pool_client(str(self.properties["UserPoolId"]), self.ref)


MODELS: tuple[type[CloudFormationModel], ...] = (
    ApiGatewayStage,
    ApiGatewayAuthorizer,
    CognitoUserPool,
    CognitoUserPoolDomain,
    CognitoUserPoolClient,
)
