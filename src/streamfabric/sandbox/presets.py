"""What an account has before a deploy, made in the sandbox with the very ids a topology names.

A topology names its Route 53 hosted zone by id and may name secrets by full ARN (with the random
six-character suffix Secrets Manager gave them); moto's API picks those ids itself. These functions
create them directly in moto's backends of this process (the sandbox server runs in-process), so
that a flow stack's ``AWS::Route53::RecordSet`` finds its zone and a secret ARN resolves. Both are
idempotent; an existing zone or secret with a different name / id is an error, not replaced.
"""

from __future__ import annotations

import re
import threading
import uuid
from typing import Any

from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.route53.models import HostedZoneIdentifier, route53_backends
from moto.secretsmanager.models import secretsmanager_backends
from moto.secretsmanager.utils import SecretsManagerSecretIdentifier
from moto.utilities.id_generator import moto_id_manager

from ..errors import StreamfabricError

_SECRET_ARN = re.compile(
    r"^arn:(?P<partition>[\w-]+):secretsmanager:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):secret:"
    r"(?P<name>.+)-(?P<suffix>[A-Za-z0-9]{6})$"
)
_lock = threading.Lock()  # moto's custom-id registry is process-wide


class PresetError(StreamfabricError):
    """A preset conflicts with what the sandbox already has."""

    kind = "preset"


def _zone_id(zone_id: str) -> str:
    return zone_id.removeprefix("/hostedzone/")


def preset_hosted_zone(zone_id: str, domain: str, account_id: str = DEFAULT_ACCOUNT_ID) -> str:
    """A public hosted zone for ``domain`` whose id is ``zone_id`` (``Z...`` or ``/hostedzone/Z...``),
    with its NS and SOA records, as CreateHostedZone makes it. Returns the id."""
    zone_id = _zone_id(zone_id)
    name = domain if domain.endswith(".") else f"{domain}."
    backend = route53_backends[account_id]["global"]
    existing = backend.zones.get(zone_id)
    if existing is not None:
        if existing.name != name:
            raise PresetError(f"hosted zone {zone_id} exists for {existing.name}, not {name}")
        return zone_id
    identifier = HostedZoneIdentifier(account_id, name, None)
    with _lock:
        moto_id_manager.set_custom_id(identifier, zone_id)
        try:
            zone = backend.create_hosted_zone(
                name, private_zone=False, caller_reference=f"streamfabric-sandbox-{zone_id}"
            )
        finally:
            moto_id_manager.unset_custom_id(identifier)
    if zone.resource_id != zone_id:  # moto generated its own id after all: file it under ours
        backend.zones.pop(zone.resource_id, None)
        zone.resource_id = zone_id
        backend.zones[zone_id] = zone
    return zone_id


def _put_value(backend: Any, secret: Any, value: str) -> None:
    if getattr(secret, "secret_string", None) != value:
        backend.put_secret_value(secret.arn, value, None, str(uuid.uuid4()), ["AWSCURRENT"])


def preset_secret(region: str, arn_or_name: str, value: str, account_id: str = DEFAULT_ACCOUNT_ID) -> str:
    """A secret with string value ``value``: by name in ``region``, or, given a full ARN, with that
    exact ARN (its region, account and suffix). An existing secret of that name gets ``value`` as
    its current value. Returns the secret's ARN."""
    match = _SECRET_ARN.match(arn_or_name)
    name, suffix = (match["name"], match["suffix"]) if match else (arn_or_name, None)
    if match:
        region, account_id = match["region"], match["account"]
    backend = secretsmanager_backends[account_id][region]
    if name in backend.secrets:  # by name or ARN, as describe_secret finds it
        secret = backend.describe_secret(name)
        if match and secret.arn != arn_or_name:
            raise PresetError(f"secret {name} exists in {region} as {secret.arn}, not {arn_or_name}")
        _put_value(backend, secret, value)
        return str(secret.arn)
    identifier = SecretsManagerSecretIdentifier(account_id, region, name)
    with _lock:
        if suffix:
            moto_id_manager.set_custom_id(identifier, suffix)
        try:
            backend.create_secret(
                name=name,
                secret_string=value,
                secret_binary=None,
                description="preset by the streamfabric sandbox",
                tags=[],
                kms_key_id=None,
                client_request_token=None,
                replica_regions=[],
                force_overwrite=False,
            )
        finally:
            if suffix:
                moto_id_manager.unset_custom_id(identifier)
    arn = str(backend.describe_secret(name).arn)
    if match and arn != arn_or_name:
        raise PresetError(f"moto made secret {name} as {arn}, not {arn_or_name}")
    return arn
