"""The emulator refuses what the real API refuses, with the real codes and HTTP statuses."""

import hashlib

import pytest

from tests.emulator.raw_client import (ENS_VERSION, call, call_v1, call_v3, send, sign_v3_headers, timestamp, v1_query,
                                       v3_headers)

SIGNATURES = ("v1", "v3")
TOKEN = "CAIStestSecurityToken+/=value"


def status_and_code(response):
    body = response.json()
    assert set(body) == {"RequestId", "HostId", "Code", "Message", "Recommend"}, body
    return response.status_code, body["Code"]


def time_override(signature, offset_seconds=0, value=None):
    value = value if value is not None else timestamp(offset_seconds)
    return {"timestamp": value} if signature == "v1" else {"date": value}


def test_both_signatures_accepted(ens_emulator):
    assert call_v1(ens_emulator, "DescribeImageInfos").status_code == 200
    assert call_v3(ens_emulator, "DescribeImageInfos").status_code == 200


@pytest.mark.parametrize("signature", SIGNATURES)
def test_wrong_secret_does_not_match(ens_emulator, signature):
    response = call(signature, ens_emulator, "DescribeImageInfos", access_key_secret="notTheSecret")
    assert status_and_code(response) == (400, "SignatureDoesNotMatch")
    assert "server string to sign is" in response.json()["Message"]
    assert ens_emulator.access_key_secret not in response.text


@pytest.mark.parametrize("signature", SIGNATURES)
def test_unknown_access_key(ens_emulator, signature):
    response = call(signature, ens_emulator, "DescribeImageInfos", access_key_id="LTAIsomebodyElse")
    assert status_and_code(response) == (404, "InvalidAccessKeyId.NotFound")


@pytest.mark.parametrize("signature", SIGNATURES)
@pytest.mark.parametrize("offset", [-16 * 60, 16 * 60])
def test_timestamp_outside_15_minutes_is_expired(ens_emulator, signature, offset):
    response = call(signature, ens_emulator, "DescribeImageInfos", **time_override(signature, offset))
    assert status_and_code(response) == (400, "InvalidTimeStamp.Expired")


@pytest.mark.parametrize("signature", SIGNATURES)
@pytest.mark.parametrize("offset", [-14 * 60, 14 * 60])
def test_timestamp_inside_15_minutes_is_fine(ens_emulator, signature, offset):
    response = call(signature, ens_emulator, "DescribeImageInfos", **time_override(signature, offset))
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("signature", SIGNATURES)
@pytest.mark.parametrize("value", ["yesterday", "2024-02-20 10:00:00", "2024-02-20T10:00:00+08:00"])
def test_unparsable_timestamp(ens_emulator, signature, value):
    response = call(signature, ens_emulator, "DescribeImageInfos", **time_override(signature, value=value))
    assert status_and_code(response) == (400, "InvalidTimeStamp.Format")


@pytest.mark.parametrize("signature", SIGNATURES)
def test_reused_nonce(ens_emulator, signature):
    nonce = "nonce-reuse-%s-%s" % (signature, timestamp())
    assert call(signature, ens_emulator, "DescribeImageInfos", nonce=nonce).status_code == 200
    response = call(signature, ens_emulator, "DescribeImageInfos", nonce=nonce)
    assert status_and_code(response) == (400, "SignatureNonceUsed")


def test_nonce_is_only_spent_by_an_authentic_request(ens_emulator):
    nonce = "nonce-spent-%s" % timestamp()
    refused = call_v3(ens_emulator, "DescribeImageInfos", nonce=nonce, access_key_secret="wrong")
    assert status_and_code(refused) == (400, "SignatureDoesNotMatch")
    assert call_v3(ens_emulator, "DescribeImageInfos", nonce=nonce).status_code == 200


def test_v1_parameter_changed_after_signing(ens_emulator):
    query = v1_query(ens_emulator, "DescribeImageInfos", {"OsType": "linux"})
    query["OsType"] = "windows"
    assert status_and_code(send(ens_emulator, "POST", query=query)) == (400, "SignatureDoesNotMatch")


def test_v1_signed_for_another_method(ens_emulator):
    query = v1_query(ens_emulator, "DescribeImageInfos", method="GET")
    assert status_and_code(send(ens_emulator, "POST", query=query)) == (400, "SignatureDoesNotMatch")


@pytest.mark.parametrize("name", ["Format", "AccessKeyId", "SignatureMethod", "SignatureVersion", "SignatureNonce",
                                  "Timestamp", "Signature", "Action", "Version"])
def test_v1_missing_parameter(ens_emulator, name):
    query = v1_query(ens_emulator, "DescribeImageInfos")
    del query[name]
    assert status_and_code(send(ens_emulator, "POST", query=query)) == (400, "Missing%s" % name)


@pytest.mark.parametrize("name, value, code", [
    ("SignatureMethod", "HMAC-SHA256", "InvalidParameter.SignatureMethod"),
    ("SignatureVersion", "2.0", "InvalidParameter.SignatureVersion"),
    ("Format", "XML", "InvalidParameter.Format"),
])
def test_v1_unsupported_common_values(ens_emulator, name, value, code):
    query = v1_query(ens_emulator, "DescribeImageInfos")
    query[name] = value
    assert status_and_code(send(ens_emulator, "POST", query=query)) == (400, code)


def test_v1_form_body_parameters_are_signed_too(ens_emulator):
    query = v1_query(ens_emulator, "DescribeImageInfos", {"OsType": "windows"})
    del query["OsType"]
    response = send(ens_emulator, "POST", query=query, body={"OsType": "windows"})
    assert response.status_code == 200, response.text
    assert {image["OSType"] for image in response.json()["Images"]["Image"]} == {"windows"}


def test_v3_parameter_changed_after_signing(ens_emulator):
    headers = v3_headers(ens_emulator, "DescribeImageInfos", {"OsType": "linux"})
    response = send(ens_emulator, "POST", query={"OsType": "windows"}, headers=headers)
    assert status_and_code(response) == (400, "SignatureDoesNotMatch")


@pytest.mark.parametrize("name", ["x-acs-action", "x-acs-version", "x-acs-date", "x-acs-signature-nonce",
                                  "x-acs-content-sha256"])
def test_v3_missing_header(ens_emulator, name):
    headers = v3_headers(ens_emulator, "DescribeImageInfos")
    del headers[name]
    assert status_and_code(send(ens_emulator, "POST", headers=headers)) == (400, "MissingParameter")


def test_v3_every_x_acs_header_must_be_signed(ens_emulator):
    headers = v3_headers(ens_emulator, "DescribeImageInfos")
    headers["x-acs-extra"] = "not signed"
    assert status_and_code(send(ens_emulator, "POST", headers=headers)) == (400, "IncompleteSignature")


def test_v3_host_must_be_signed(ens_emulator):
    headers = v3_headers(ens_emulator, "DescribeImageInfos")
    signed = dict((name, value) for name, value in headers.items() if name not in ("host", "Authorization"))
    response = send(ens_emulator, "POST", headers=sign_v3_headers(ens_emulator, "POST", {}, signed))
    assert status_and_code(response) == (400, "IncompleteSignature")


def test_v3_extra_signed_headers_are_verified_as_received(ens_emulator):
    headers = v3_headers(ens_emulator, "DescribeImageInfos")
    del headers["Authorization"]
    headers["user-agent"] = "emulator-test/1.0"
    signed = sign_v3_headers(ens_emulator, "POST", {}, headers)
    assert send(ens_emulator, "POST", headers=signed).status_code == 200
    signed["user-agent"] = "emulator-test/2.0"
    assert status_and_code(send(ens_emulator, "POST", headers=signed)) == (400, "SignatureDoesNotMatch")


@pytest.mark.parametrize("authorization", [
    "ACS3-HMAC-SHA256 Credential=LTAIemulatorKeyId",
    "ACS3-HMAC-SHA256 Signature=abc",
    "Bearer abc",
    "ACS3-HMAC-SM3 Credential=LTAIemulatorKeyId,SignedHeaders=host,Signature=abcd",
])
def test_v3_malformed_authorization(ens_emulator, authorization):
    headers = v3_headers(ens_emulator, "DescribeImageInfos")
    headers["Authorization"] = authorization
    assert status_and_code(send(ens_emulator, "POST", headers=headers)) == (400, "IncompleteSignature")


def test_v3_content_sha256_must_match_the_body(ens_emulator):
    headers = v3_headers(ens_emulator, "DescribeImageInfos")
    response = send(ens_emulator, "POST", headers=headers, body=b"OsType=linux")
    assert status_and_code(response) == (400, "SignatureDoesNotMatch")


def test_v3_signed_body_is_accepted(ens_emulator):
    body = b"OsType=windows"
    headers = v3_headers(ens_emulator, "DescribeImageInfos", body=body)
    headers["content-type"] = "application/x-www-form-urlencoded"
    assert headers["x-acs-content-sha256"] == hashlib.sha256(body).hexdigest()
    del headers["Authorization"]
    response = send(ens_emulator, "POST", headers=sign_v3_headers(ens_emulator, "POST", {}, headers), body=body)
    assert response.status_code == 200, response.text
    assert {image["OSType"] for image in response.json()["Images"]["Image"]} == {"windows"}


@pytest.mark.parametrize("signature", SIGNATURES)
def test_unknown_action(ens_emulator, signature):
    response = call(signature, ens_emulator, "DescribeInstances")
    assert status_and_code(response) == (404, "InvalidAction.NotFound")


@pytest.mark.parametrize("signature", SIGNATURES)
def test_wrong_version(ens_emulator, signature):
    response = call(signature, ens_emulator, "DescribeImageInfos", version="2014-05-26")
    assert status_and_code(response) == (400, "InvalidVersion")
    assert ENS_VERSION not in response.json()["Code"]


# --- --security-token ---------------------------------------------------------------------


@pytest.fixture
def token_emulator(start_emulator):
    return start_emulator("--security-token", TOKEN)


@pytest.mark.parametrize("signature", SIGNATURES)
def test_security_token_accepted(token_emulator, signature):
    assert call(signature, token_emulator, "DescribeImageInfos").status_code == 200


@pytest.mark.parametrize("signature", SIGNATURES)
def test_security_token_missing(token_emulator, signature):
    response = call(signature, token_emulator, "DescribeImageInfos", security_token=None)
    assert status_and_code(response) == (400, "InvalidSecurityToken.Missing")


@pytest.mark.parametrize("signature", SIGNATURES)
def test_security_token_mismatch(token_emulator, signature):
    response = call(signature, token_emulator, "DescribeImageInfos", security_token=TOKEN + "x")
    assert status_and_code(response) == (400, "InvalidSecurityToken.Mismatch")


@pytest.mark.parametrize("signature", SIGNATURES)
def test_no_secret_or_token_in_errors_or_logs(token_emulator, signature):
    response = call(signature, token_emulator, "DescribeImageInfos", access_key_secret="wrong")
    assert status_and_code(response) == (400, "SignatureDoesNotMatch")
    assert "redacted" in response.json()["Message"]
    for secret in (TOKEN, token_emulator.access_key_secret, "wrong"):
        for form in (secret, secret.replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")):
            assert form not in response.text
    assert call(signature, token_emulator, "DescribeImageInfos").status_code == 200
    log = token_emulator.log_text()
    assert "DescribeImageInfos" in log
    assert TOKEN not in log and token_emulator.access_key_secret not in log and "Signature=" not in log


def test_undecodable_form_body_still_gets_an_api_answer(ens_emulator):
    query = v1_query(ens_emulator, "DescribeImageInfos")
    response = send(ens_emulator, "POST", query=query, body=b"\xff\xfe=\xfd",
                    headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status_and_code(response) == (400, "SignatureDoesNotMatch")
