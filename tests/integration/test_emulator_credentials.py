"""STS AssumeRole and the ECS metadata role on the emulator; its ENS side accepts their keys until expiry."""

import datetime
import time

import pytest
import requests

from tests.emulator.raw_client import STS_VERSION, call, call_v1

SIGNATURES = ("v1", "v3")
ROLE_ARN = "acs:ram::1234567890123456:role/ens-image-reader"
ECS_ROLE = "EcsEnsReader"


def ok_json(response):
    assert response.status_code == 200, response.text
    return response.json()


def status_and_code(response):
    return response.status_code, response.json()["Code"]


def assume_role(emulator, signature="v1", keys=None, **params):
    """AssumeRole with ``params`` over the defaults; ``keys`` overrides the caller's credentials."""
    params = dict({"RoleArn": ROLE_ARN, "RoleSessionName": "ansible-test"}, **params)
    return call(signature, emulator, "AssumeRole", params, version=STS_VERSION, **(keys or {}))


def seconds_until(iso_utc):
    moment = datetime.datetime.strptime(iso_utc, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    return (moment - datetime.datetime.now(datetime.timezone.utc)).total_seconds()


def use_key(emulator, credentials, signature="v3", **overrides):
    keys = {"access_key_id": credentials["AccessKeyId"], "access_key_secret": credentials["AccessKeySecret"],
            "security_token": credentials["SecurityToken"]}
    keys.update(overrides)
    return call(signature, emulator, "DescribeImageInfos", **keys)


# --- AssumeRole ------------------------------------------------------------------------


@pytest.mark.parametrize("signature", SIGNATURES)
def test_assume_role_issues_temporary_credentials(ens_emulator, signature):
    body = ok_json(assume_role(ens_emulator, signature, DurationSeconds="900"))
    credentials = body["Credentials"]
    assert set(credentials) == {"AccessKeyId", "AccessKeySecret", "SecurityToken", "Expiration"}
    assert credentials["AccessKeyId"].startswith("STS.")
    assert 880 <= seconds_until(credentials["Expiration"]) <= 905
    assert body["AssumedRoleUser"]["Arn"] == ROLE_ARN + "/ansible-test"
    assert body["AssumedRoleUser"]["AssumedRoleId"].endswith(":ansible-test")
    assert body["RequestId"]


def test_assume_role_default_duration_is_an_hour(ens_emulator):
    expiration = ok_json(assume_role(ens_emulator))["Credentials"]["Expiration"]
    assert 3580 <= seconds_until(expiration) <= 3605


@pytest.mark.parametrize("signature", SIGNATURES)
def test_temporary_key_works_with_its_token_only(ens_emulator, signature):
    credentials = ok_json(assume_role(ens_emulator))["Credentials"]
    assert ok_json(use_key(ens_emulator, credentials, signature))["Code"] == 0
    assert status_and_code(use_key(ens_emulator, credentials, signature, security_token=None)) == (
        400, "InvalidSecurityToken.Missing")
    assert status_and_code(use_key(ens_emulator, credentials, signature, security_token="CAISforged")) == (
        400, "InvalidSecurityToken.Mismatch")
    assert status_and_code(use_key(ens_emulator, credentials, signature, access_key_secret="wrong")) == (
        400, "SignatureDoesNotMatch")


def test_assume_role_with_temporary_credentials(ens_emulator):
    first = ok_json(assume_role(ens_emulator))["Credentials"]
    chained = call_v1(ens_emulator, "AssumeRole", {"RoleArn": ROLE_ARN, "RoleSessionName": "chained"},
                      version=STS_VERSION, access_key_id=first["AccessKeyId"],
                      access_key_secret=first["AccessKeySecret"], security_token=first["SecurityToken"])
    assert ok_json(use_key(ens_emulator, ok_json(chained)["Credentials"]))["Code"] == 0


@pytest.mark.parametrize("params, code", [
    ({"RoleArn": "arn:aws:iam::123:role/x"}, "InvalidParameter.RoleArn"),
    ({"RoleArn": "acs:ram::abc:role/reader"}, "InvalidParameter.RoleArn"),
    ({"RoleArn": "acs:ram::123:user/reader"}, "InvalidParameter.RoleArn"),
    ({"RoleArn": ""}, "MissingRoleArn"),
    ({"RoleSessionName": ""}, "MissingRoleSessionName"),
    ({"RoleSessionName": "has space"}, "InvalidParameter.RoleSessionName"),
    ({"DurationSeconds": "899"}, "InvalidParameter.DurationSeconds"),
    ({"DurationSeconds": "43201"}, "InvalidParameter.DurationSeconds"),
    ({"DurationSeconds": "an hour"}, "InvalidParameter.DurationSeconds"),
    ({"Policy": "{not json"}, "InvalidParameter.PolicyGrammar"),
])
def test_assume_role_bad_parameters(ens_emulator, params, code):
    assert status_and_code(assume_role(ens_emulator, **params)) == (400, code)


def test_assume_role_policy_and_external_id(ens_emulator):
    policy = '{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "ens:Describe*", "Resource": "*"}]}'
    body = ok_json(assume_role(ens_emulator, Policy=policy, ExternalId="abcd-1234", DurationSeconds="43200"))
    assert 43180 <= seconds_until(body["Credentials"]["Expiration"]) <= 43205


def test_assume_role_needs_the_sts_version_and_a_signature(ens_emulator):
    wrong_version = call_v1(ens_emulator, "AssumeRole", {"RoleArn": ROLE_ARN, "RoleSessionName": "s"})
    assert status_and_code(wrong_version) == (400, "InvalidVersion")
    assert status_and_code(assume_role(ens_emulator, keys={"access_key_secret": "wrong"})) == (400, "SignatureDoesNotMatch")


def test_assume_role_key_expires(start_emulator):
    emulator = start_emulator("--sts-ttl", "2")
    credentials = ok_json(assume_role(emulator))["Credentials"]
    assert ok_json(use_key(emulator, credentials))["Code"] == 0
    time.sleep(2.2)
    assert status_and_code(use_key(emulator, credentials)) == (400, "InvalidSecurityToken.Expired")
    assert emulator.stats()["requests"]["AssumeRole"] == 1


def test_assume_role_obeys_the_long_term_security_token(start_emulator):
    emulator = start_emulator("--security-token", "CAISlongTerm")
    assert ok_json(assume_role(emulator))["Credentials"]["AccessKeyId"].startswith("STS.")
    assert status_and_code(assume_role(emulator, keys={"security_token": None})) == (400, "InvalidSecurityToken.Missing")


# --- ECS instance metadata --------------------------------------------------------------


class Metadata:
    def __init__(self, emulator):
        self.emulator = emulator

    def request(self, method, path, headers=None):
        return requests.request(method, self.emulator.url + path, headers=headers or {},
                                verify=self.emulator.ca_path or True, timeout=10)

    def token(self, ttl="21600"):
        return self.request("PUT", "/latest/api/token", {"X-aliyun-ecs-metadata-token-ttl-seconds": ttl})

    def get(self, path, token):
        headers = {"X-aliyun-ecs-metadata-token": token} if token is not None else {}
        return self.request("GET", "/latest/meta-data/ram/security-credentials/" + path, headers)


@pytest.fixture
def metadata(start_emulator):
    return Metadata(start_emulator("--ecs-role", ECS_ROLE))


def test_ecs_role_credentials(metadata):
    token = metadata.token()
    assert token.status_code == 200 and token.text
    roles = metadata.get("", token.text)
    assert (roles.status_code, roles.text.split()) == (200, [ECS_ROLE])
    credentials = ok_json(metadata.get(ECS_ROLE, token.text))
    assert credentials["Code"] == "Success"
    assert set(credentials) == {"Code", "AccessKeyId", "AccessKeySecret", "SecurityToken", "Expiration", "LastUpdated"}
    assert seconds_until(credentials["Expiration"]) > 3600
    for signature in SIGNATURES:
        assert ok_json(use_key(metadata.emulator, credentials, signature))["Code"] == 0
    stats = metadata.emulator.stats()["requests"]
    assert stats["EcsMetadataToken"] == 1 and stats["EcsMetadataCredentials"] == 1


@pytest.mark.parametrize("token", [None, "", "not-a-token"])
def test_ecs_metadata_needs_a_valid_token(metadata, token):
    assert metadata.get(ECS_ROLE, token).status_code == 401
    assert metadata.get("", token).status_code == 401


def test_ecs_unknown_role_is_404(metadata):
    assert metadata.get("SomeOtherRole", metadata.token().text).status_code == 404


@pytest.mark.parametrize("ttl", ["", "0", "21601", "six hours"])
def test_ecs_token_ttl_must_be_valid(metadata, ttl):
    assert metadata.token(ttl).status_code == 400


def test_ecs_token_expires(metadata):
    token = metadata.token("1").text
    assert metadata.get(ECS_ROLE, token).status_code == 200
    time.sleep(1.2)
    assert metadata.get(ECS_ROLE, token).status_code == 401


def test_ecs_metadata_off_without_the_flag(ens_emulator):
    assert Metadata(ens_emulator).token().status_code == 404


def test_ecs_role_key_expires(start_emulator):
    metadata = Metadata(start_emulator("--ecs-role", ECS_ROLE, "--sts-ttl", "2", http=True))
    credentials = ok_json(metadata.get(ECS_ROLE, metadata.token().text))
    assert ok_json(use_key(metadata.emulator, credentials, "v1"))["Code"] == 0
    time.sleep(2.2)
    assert status_and_code(use_key(metadata.emulator, credentials, "v1")) == (400, "InvalidSecurityToken.Expired")
