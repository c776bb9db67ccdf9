"""The credential chain against a real emulator, at the connection level (no Ansible).

Every source alone, AssumeRole on top, refresh of expiring temporary
credentials, and the errors of broken sources. Playbook-level tests are in
test_credentials_playbooks.py.
"""

import json
import socket
import threading
import time

import pytest

from ansible_collections.alicloud.ens.plugins.module_utils.connection import build_client, transport_options
from ansible_collections.alicloud.ens.plugins.module_utils.credentials import credentials_from_options
from ansible_collections.alicloud.ens.plugins.module_utils.ens_client import EnsClient
from ansible_collections.alicloud.ens.plugins.module_utils.errors import EnsApiError, EnsCredentialError
from ansible_collections.alicloud.ens.plugins.module_utils.options import DictOptionReader
from ansible_collections.alicloud.ens.plugins.module_utils.transport import SignedTransport, StaticCredentials

ROLE_ARN = "acs:ram::1234567890123456:role/ens-image-reader"
ECS_ROLE = "EcsEnsReader"
LONG_TERM_TOKEN = "CAISlongTermTokenForTests"


def connection_options(emulator, **options):
    """Options that point at ``emulator`` (ENS, STS and metadata) and carry no credentials unless given."""
    base = {"endpoint": emulator.url, "ca_path": emulator.ca_path, "sts_endpoint": emulator.url,
            "ecs_metadata_endpoint": emulator.url, "max_retries": 0}
    base.update(options)
    return base


def emulator_keys(emulator):
    keys = {"access_key_id": emulator.access_key_id, "access_key_secret": emulator.access_key_secret}
    if emulator.security_token:
        keys["security_token"] = emulator.security_token
    return keys


def write_config(directory, profile, current=True):
    path = directory / "config.json"
    config = {"profiles": [profile]}
    if current:
        config["current"] = profile["name"]
    path.write_text(json.dumps(config))
    return str(path)


def describe_images(options):
    """``DescribeImageInfos`` through ``build_client``, the path every module and the lookup take."""
    client = build_client(DictOptionReader(options))
    try:
        return client.describe_image_infos()
    finally:
        client.transport.close()


def requests_of(emulator, action):
    return emulator.stats()["requests"].get(action, 0)


class Chain:
    """The provider of ``credentials_from_options`` and a client over it, for tests that look at both."""

    def __init__(self, options):
        reader = DictOptionReader(options)
        transport_kwargs = transport_options(reader)
        self.provider = credentials_from_options(reader, transport_kwargs)
        self.transport = SignedTransport(options["endpoint"], self.provider, **transport_kwargs)
        self.client = EnsClient(self.transport)

    def close(self):
        self.transport.close()


@pytest.fixture
def chain_for():
    chains = []

    def build(options):
        chain = Chain(options)
        chains.append(chain)
        return chain

    yield build
    for chain in chains:
        chain.close()


# --- each source alone ----------------------------------------------------

@pytest.mark.parametrize("signature_version", ["v3", "v1"])
def test_explicit_keys(ens_emulator, signature_version):
    body = describe_images(connection_options(ens_emulator, signature_version=signature_version, **emulator_keys(ens_emulator)))
    assert body["images"]


def test_explicit_keys_with_security_token(start_emulator):
    emulator = start_emulator("--security-token", LONG_TERM_TOKEN)
    assert describe_images(connection_options(emulator, **emulator_keys(emulator)))["images"]
    without_token = dict(emulator_keys(emulator), security_token=None)
    with pytest.raises(EnsApiError) as caught:
        describe_images(connection_options(emulator, **without_token))
    assert caught.value.code == "InvalidSecurityToken.Missing"


def test_profile_ak(ens_emulator, tmp_path):
    path = write_config(tmp_path, {"name": "ak", "mode": "AK", "access_key_id": ens_emulator.access_key_id,
                                   "access_key_secret": ens_emulator.access_key_secret})
    assert describe_images(connection_options(ens_emulator, config_file=path))["images"]


def test_profile_sts_token(start_emulator, tmp_path):
    emulator = start_emulator("--security-token", LONG_TERM_TOKEN)
    path = write_config(tmp_path, {"name": "sts", "mode": "StsToken", "access_key_id": emulator.access_key_id,
                                   "access_key_secret": emulator.access_key_secret, "sts_token": LONG_TERM_TOKEN})
    assert describe_images(connection_options(emulator, config_file=path))["images"]


def test_profile_ram_role_arn_assumes_the_role(start_emulator, tmp_path, chain_for):
    emulator = start_emulator()
    path = write_config(tmp_path, {"name": "ops", "mode": "RamRoleArn", "access_key_id": emulator.access_key_id,
                                   "access_key_secret": emulator.access_key_secret, "ram_role_arn": ROLE_ARN,
                                   "ram_session_name": "ops-session", "expired_seconds": 900})
    chain = chain_for(connection_options(emulator, config_file=path, profile="ops"))
    assert chain.client.describe_image_infos()["images"]
    assert chain.provider.get().access_key_id.startswith("STS.")
    assert requests_of(emulator, "AssumeRole") == 1


def test_profile_ecs_ram_role(start_emulator, tmp_path, chain_for):
    emulator = start_emulator("--ecs-role", ECS_ROLE)
    path = write_config(tmp_path, {"name": "ecs", "mode": "EcsRamRole", "ram_role_name": ECS_ROLE})
    chain = chain_for(connection_options(emulator, config_file=path))
    assert chain.client.describe_image_infos()["images"]
    assert chain.provider.get().access_key_id.startswith("STS.")
    stats = emulator.stats()["requests"]
    assert (stats.get("EcsMetadataToken"), stats.get("EcsMetadataCredentials")) == (1, 1)


def test_ecs_role_option(start_emulator, chain_for):
    emulator = start_emulator("--ecs-role", ECS_ROLE)
    chain = chain_for(connection_options(emulator, ecs_role_name=ECS_ROLE))
    assert chain.client.describe_image_infos()["images"]
    assert chain.provider.get().access_key_id.startswith("STS.")
    assert requests_of(emulator, "EcsMetadataCredentials") == 1


def test_ecs_role_metadata_host_without_scheme_is_plain_http(start_emulator):
    emulator = start_emulator("--ecs-role", ECS_ROLE, http=True)
    host_and_port = emulator.url[len("http://"):]
    options = connection_options(emulator, ecs_role_name=ECS_ROLE, ecs_metadata_endpoint=host_and_port)
    assert describe_images(options)["images"]
    assert requests_of(emulator, "EcsMetadataCredentials") == 1


def test_keys_plus_assume_role_arn(start_emulator, chain_for):
    emulator = start_emulator()
    chain = chain_for(connection_options(emulator, assume_role_arn=ROLE_ARN, assume_role_duration=900,
                                         assume_role_policy='{"Version": "1", "Statement": []}',
                                         assume_role_external_id="ext-1234", **emulator_keys(emulator)))
    assert chain.client.describe_image_infos()["images"]
    assert chain.client.describe_image_infos()["images"]
    assert chain.provider.get().access_key_id.startswith("STS.")
    assert requests_of(emulator, "AssumeRole") == 1


def test_assume_role_on_top_of_an_ecs_role(start_emulator, chain_for):
    emulator = start_emulator("--ecs-role", ECS_ROLE)
    chain = chain_for(connection_options(emulator, ecs_role_name=ECS_ROLE, assume_role_arn=ROLE_ARN))
    assert chain.client.describe_image_infos()["images"]
    stats = emulator.stats()["requests"]
    assert (stats.get("EcsMetadataCredentials"), stats.get("AssumeRole")) == (1, 1)


def test_concurrent_pages_share_one_assume_role(start_emulator):
    emulator = start_emulator("--export-images", "400")
    options = connection_options(emulator, assume_role_arn=ROLE_ARN, max_concurrency=8, **emulator_keys(emulator))
    client = build_client(DictOptionReader(options))
    try:
        listing = client.list_export_images(page_size=10)
    finally:
        client.transport.close()
    assert len(listing["images"]) == 400
    stats = emulator.stats()
    assert stats["requests"]["DescribeExportImageInfo"] >= 40
    assert stats["max_in_flight"]["DescribeExportImageInfo"] > 1
    assert stats["requests"]["AssumeRole"] == 1


# --- precedence between sources -------------------------------------------

def test_keys_beat_profile_and_ecs_role(start_emulator, tmp_path, chain_for):
    emulator = start_emulator("--ecs-role", ECS_ROLE)
    path = write_config(tmp_path, {"name": "ops", "mode": "RamRoleArn", "access_key_id": emulator.access_key_id,
                                   "access_key_secret": emulator.access_key_secret, "ram_role_arn": ROLE_ARN})
    chain = chain_for(connection_options(emulator, config_file=path, ecs_role_name=ECS_ROLE, **emulator_keys(emulator)))
    assert chain.client.describe_image_infos()["images"]
    assert chain.provider.get().access_key_id == emulator.access_key_id
    stats = emulator.stats()["requests"]
    assert "AssumeRole" not in stats and "EcsMetadataToken" not in stats


def test_profile_beats_ecs_role(start_emulator, tmp_path, chain_for):
    emulator = start_emulator("--ecs-role", ECS_ROLE)
    path = write_config(tmp_path, {"name": "ak", "mode": "AK", "access_key_id": emulator.access_key_id,
                                   "access_key_secret": emulator.access_key_secret})
    chain = chain_for(connection_options(emulator, config_file=path, ecs_role_name=ECS_ROLE))
    assert chain.client.describe_image_infos()["images"]
    assert chain.provider.get().access_key_id == emulator.access_key_id
    assert "EcsMetadataToken" not in emulator.stats()["requests"]


# --- temporary credentials: reuse and refresh -----------------------------

def test_assumed_role_credentials_refresh_before_expiry(start_emulator, chain_for):
    emulator = start_emulator("--sts-ttl", "3")
    chain = chain_for(connection_options(emulator, assume_role_arn=ROLE_ARN, **emulator_keys(emulator)))
    assert chain.client.describe_image_infos()["images"]
    first = chain.provider.get()
    assert chain.client.describe_image_infos()["images"]
    assert requests_of(emulator, "AssumeRole") == 1
    time.sleep(3.2)
    assert chain.client.describe_image_infos()["images"]
    assert requests_of(emulator, "AssumeRole") == 2
    assert chain.provider.get().access_key_id != first.access_key_id
    # Without the refresh the first temporary key would have been refused.
    stale = EnsClient(SignedTransport(emulator.url, StaticCredentials(first), ca_path=emulator.ca_path, max_retries=0))
    with pytest.raises(EnsApiError) as caught:
        stale.describe_image_infos()
    assert caught.value.code == "InvalidSecurityToken.Expired"


def test_ecs_role_credentials_refresh_before_expiry(start_emulator, chain_for):
    emulator = start_emulator("--ecs-role", ECS_ROLE, "--sts-ttl", "3")
    chain = chain_for(connection_options(emulator, ecs_role_name=ECS_ROLE))
    assert chain.client.describe_image_infos()["images"]
    assert chain.client.describe_image_infos()["images"]
    assert requests_of(emulator, "EcsMetadataCredentials") == 1
    time.sleep(3.2)
    assert chain.client.describe_image_infos()["images"]
    assert requests_of(emulator, "EcsMetadataCredentials") == 2


def test_concurrent_callers_after_expiry_refresh_once(start_emulator, chain_for):
    emulator = start_emulator("--sts-ttl", "3")
    chain = chain_for(connection_options(emulator, assume_role_arn=ROLE_ARN, **emulator_keys(emulator)))
    chain.client.describe_image_infos()
    time.sleep(3.2)
    failures = []

    def call():
        try:
            chain.client.describe_image_infos()
        except EnsApiError as exc:  # pragma: no cover - reported below
            failures.append(exc)

    threads = [threading.Thread(target=call) for _thread in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert requests_of(emulator, "AssumeRole") == 2


# --- broken sources -------------------------------------------------------

def test_assume_role_refused_names_the_role_and_hides_secrets(ens_emulator):
    options = connection_options(ens_emulator, assume_role_arn="acs:ram::not-an-account:role/x", **emulator_keys(ens_emulator))
    with pytest.raises(EnsCredentialError) as caught:
        describe_images(options)
    message = str(caught.value)
    assert "STS AssumeRole of acs:ram::not-an-account:role/x at %s failed" % ens_emulator.url in message
    assert "InvalidParameter.RoleArn" in message
    assert ens_emulator.access_key_secret not in message


def test_assume_role_with_a_wrong_base_secret(ens_emulator):
    options = connection_options(ens_emulator, assume_role_arn=ROLE_ARN, access_key_id=ens_emulator.access_key_id,
                                 access_key_secret="wrongSecretValue")
    with pytest.raises(EnsCredentialError) as caught:
        describe_images(options)
    assert "SignatureDoesNotMatch" in str(caught.value)
    assert "wrongSecretValue" not in str(caught.value)


def test_unknown_ecs_role(start_emulator):
    emulator = start_emulator("--ecs-role", ECS_ROLE)
    with pytest.raises(EnsCredentialError) as caught:
        describe_images(connection_options(emulator, ecs_role_name="OtherRole"))
    assert str(caught.value) == ("ECS RAM role 'OtherRole': GET %s/latest/meta-data/ram/security-credentials/OtherRole "
                                 "answered HTTP 404" % emulator.url)


def test_no_metadata_service(ens_emulator):
    with pytest.raises(EnsCredentialError) as caught:
        describe_images(connection_options(ens_emulator, ecs_role_name=ECS_ROLE))
    assert "PUT %s/latest/api/token answered HTTP 404" % ens_emulator.url in str(caught.value)


def test_unreachable_metadata_service_fails_fast(ens_emulator):
    started = time.monotonic()
    with pytest.raises(EnsCredentialError, match="failed: ConnectionRefusedError"):
        describe_images(connection_options(ens_emulator, ecs_role_name=ECS_ROLE, ecs_metadata_endpoint="http://127.0.0.1:1"))
    assert time.monotonic() - started < 5


@pytest.fixture
def silent_server():
    """A TCP port that accepts connections and never answers: a metadata service that hangs."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    yield "http://127.0.0.1:%d" % listener.getsockname()[1]
    listener.close()


def test_hanging_metadata_service_times_out_within_seconds(ens_emulator, silent_server):
    started = time.monotonic()
    with pytest.raises(EnsCredentialError, match="PUT %s/latest/api/token failed: TimeoutError" % silent_server):
        describe_images(connection_options(ens_emulator, ecs_role_name=ECS_ROLE, ecs_metadata_endpoint=silent_server))
    assert time.monotonic() - started < 6
