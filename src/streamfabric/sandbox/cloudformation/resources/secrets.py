"""CloudFormation model for AWS::SecretsManager::Secret (moto 5.2 has none: stacks skip the type).

Backed by moto's Secrets Manager backend, i.e. the same calls as the API: ``create_secret`` with
``replica_regions`` (moto's native replication: a replica with the same name and ARN suffix in each
region's backend, ``ReplicationStatus`` on the primary), ``get_random_password`` for
``GenerateSecretString``, tag/untag, ``replicate_secret_to_regions`` /
``remove_regions_from_replication``. ``Ref`` and ``Fn::GetAtt Id`` return the ARN.

* Create: ``SecretString``, or a value generated from ``GenerateSecretString`` (with
  ``SecretStringTemplate`` + ``GenerateStringKey``: that JSON with the password under the key), or
  neither (an empty secret). CloudFormation's ``aws:cloudformation:*`` tags and the stack's tags
  are added to ``Tags``.
* Update in place: Description, KmsKeyId, Tags, ReplicaRegions (added / removed regions); a changed
  ``SecretString`` or ``GenerateSecretString`` stores a new version (a changed generator generates a
  new value). A new ``Name`` (create-only in the resource schema) replaces the secret.
* Delete: the replicas are removed, then the secret is deleted without a recovery window, as
  CloudFormation does for this type (aws-cloudformation/cloudformation-coverage-roadmap#1999), so
  a stack can be deleted and deployed again with the same secret name.

Service errors become :class:`..failures.ResourceFailed` (the stack rolls back).
"""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Iterator
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.secretsmanager.exceptions import SecretsManagerClientError
from moto.secretsmanager.models import secretsmanager_backends

from ..failures import ResourceFailed
from .base import MediaConnectResource

# GenerateSecretString member -> (get_random_password argument, default when absent)
_GENERATOR_OPTIONS: dict[str, tuple[str, Any]] = {
    "PasswordLength": ("password_length", 32),
    "ExcludeCharacters": ("exclude_characters", ""),
    "ExcludeNumbers": ("exclude_numbers", False),
    "ExcludePunctuation": ("exclude_punctuation", False),
    "ExcludeUppercase": ("exclude_uppercase", False),
    "ExcludeLowercase": ("exclude_lowercase", False),
    "IncludeSpace": ("include_space", False),
    "RequireEachIncludedType": ("require_each_included_type", True),
}


_OPTIONS = tuple(_GENERATOR_OPTIONS.items())


def _changed(old: dict[str, Any], new: dict[str, Any], *keys: str) -> bool:
    return any(old.get(key) != new.get(key) for key in keys)


def _flag(value: Any) -> bool:
    """A template boolean (``true``, or ``"true"`` from a parameter)."""
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value)


def _tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": key, "Value": value} for key, value in tags.items()]


def _replicas(properties: dict[str, Any]) -> dict[str, dict[str, str]]:
    """ReplicaRegions by region: ``{region: {"Region": ..., ["KmsKeyId": ...]}}``."""
    replicas: dict[str, dict[str, str]] = {}
    for item in properties.get("ReplicaRegions") or []:
        entry = {"Region": str(item["Region"])}
        if item.get("KmsKeyId"):
            entry["KmsKeyId"] = str(item["KmsKeyId"])
        replicas[entry["Region"]] = entry
    return replicas


@contextlib.contextmanager
def _failing_as(logical_id: str) -> Iterator[None]:
    try:
        yield
    except SecretsManagerClientError as err:
        raise ResourceFailed(logical_id, str(err.message)) from err


class SecretsManagerSecret(MediaConnectResource, CloudFormationModel):
    """AWS::SecretsManager::Secret (the shared hooks of :class:`.MediaConnectResource`)."""

    ATTRIBUTES = ("Id",)
    arn: str

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::SecretsManager::Secret"

    @property
    def physical_resource_id(self) -> str:
        return self.arn

    @property
    def backend(self) -> Any:
        return secretsmanager_backends[self.account_id][self.region_name]

    # --- values ------------------------------------------------------------------------------
    def generate(self, generator: dict[str, Any]) -> str:
        """A value from ``GenerateSecretString``, with moto's own password generator."""
        options = {argument: generator.get(member, default) for member, (argument, default) in _OPTIONS}
        options["password_length"] = int(options["password_length"])
        options["exclude_characters"] = str(options["exclude_characters"])
        for argument in options:
            if argument not in ("password_length", "exclude_characters"):
                options[argument] = _flag(options[argument])
        password = str(json.loads(self.backend.get_random_password(**options))["RandomPassword"])
        template, key = generator.get("SecretStringTemplate"), generator.get("GenerateStringKey")
        if bool(template) != bool(key):
            raise ResourceFailed(
                self.logical_resource_id,
                "GenerateSecretString: SecretStringTemplate and GenerateStringKey go together",
            )
        if not template:
            return password
        try:
            document = json.loads(str(template))
        except ValueError as err:
            message = f"SecretStringTemplate is not JSON: {err}"
            raise ResourceFailed(self.logical_resource_id, message) from err
        if not isinstance(document, dict):
            raise ResourceFailed(self.logical_resource_id, "SecretStringTemplate must be a JSON object")
        document[str(key)] = password
        return json.dumps(document)

    def value(self, properties: dict[str, Any]) -> str | None:
        """The secret value ``properties`` ask for (None: an empty secret)."""
        if properties.get("SecretString") is not None and properties.get("GenerateSecretString"):
            raise ResourceFailed(
                self.logical_resource_id, "SecretString and GenerateSecretString are mutually exclusive"
            )
        if properties.get("SecretString") is not None:
            return str(properties["SecretString"])
        if properties.get("GenerateSecretString"):
            return self.generate(dict(properties["GenerateSecretString"]))
        return None

    def _set_replica_keys(self, replicas: dict[str, dict[str, str]]) -> None:
        """Record each replica's KmsKeyId (moto reports its default key for every replica)."""
        secret = self.backend.describe_secret(self.arn)
        for replica in secret.replicas:
            key = replicas.get(replica.region, {}).get("KmsKeyId")
            if key:
                replica.config["KmsKeyId"] = key

    # --- MediaConnectResource hooks ----------------------------------------------------------
    def create(self) -> None:
        properties = self.properties
        with _failing_as(self.logical_resource_id):
            replicas = _replicas(properties)
            response = self.backend.create_secret(
                name=self.name,
                secret_string=self.value(properties),
                secret_binary=None,
                description=properties.get("Description"),
                tags=_tag_list(self.creation_tags(properties)),
                kms_key_id=properties.get("KmsKeyId"),
                client_request_token=None,
                replica_regions=list(replicas.values()),
                force_overwrite=False,
            )
            self.arn = str(json.loads(response)["ARN"])
            self._set_replica_keys(replicas)

    def update_in_place(self, properties: dict[str, Any]) -> SecretsManagerSecret:
        old, backend, arn = self.properties, self.backend, self.arn
        with _failing_as(self.logical_resource_id):
            value = None
            if _changed(old, properties, "SecretString", "GenerateSecretString"):
                value = self.value(properties)
            if value is not None:
                # the request token boto3 fills in (moto refuses a new value without one)
                backend.update_secret(
                    secret_id=arn, secret_string=value, client_request_token=str(uuid.uuid4())
                )
            secret = backend.describe_secret(arn)
            if _changed(old, properties, "Description", "KmsKeyId"):
                secret.update(
                    description=properties.get("Description"),
                    tags=secret.tags,
                    kms_key_id=properties.get("KmsKeyId") or backend.DEFAULT_KMS_KEY_ALIAS,
                )
            old_tags = {t["Key"]: t["Value"] for t in old.get("Tags") or []}
            new_tags = {t["Key"]: t["Value"] for t in properties.get("Tags") or []}
            gone = [key for key in old_tags if key not in new_tags]
            if gone:
                backend.untag_resource(arn, gone)
            if new_tags != old_tags and new_tags:
                backend.tag_resource(arn, _tag_list(new_tags))
            old_replicas, new_replicas = _replicas(old), _replicas(properties)
            removed = [region for region in old_replicas if region not in new_replicas]
            if removed:
                backend.remove_regions_from_replication(arn, removed)
            added = [entry for region, entry in new_replicas.items() if region not in old_replicas]
            if added:
                backend.replicate_secret_to_regions(arn, added, force_overwrite=False)
            self._set_replica_keys(new_replicas)
        self.properties = properties
        return self

    def remove(self) -> None:
        backend = self.backend
        with _failing_as(self.logical_resource_id):
            try:
                secret = backend.describe_secret(self.arn)
            except SecretsManagerClientError:
                return  # gone already
            regions = [replica.region for replica in secret.replicas]
            if regions:
                backend.remove_regions_from_replication(self.arn, regions)
            backend.delete_secret(self.arn, recovery_window_in_days=None, force_delete_without_recovery=True)

    def read_attributes(self) -> dict[str, Any]:
        return {"Id": self.arn}


MODELS: tuple[type[CloudFormationModel], ...] = (SecretsManagerSecret,)
