"""Signing: the official worked examples of ENS_API.md, and the official SDK as an oracle."""

import base64
import hashlib
import hmac

from alibabacloud_tea_openapi.utils import Utils, get_canonical_query_string, get_canonicalized_headers
from darabonba.request import DaraRequest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.alicloud.ens.plugins.module_utils.signing import (
    EMPTY_PAYLOAD_SHA256,
    canonical_query,
    percent_encode,
    utc_timestamp,
    v1_signature,
    v1_signed_query,
    v1_string_to_sign,
    v3_canonical_headers,
    v3_canonical_request,
    v3_signature,
    v3_signed_headers,
)

PROPERTY_SETTINGS = settings(max_examples=200, deadline=None)

# Any Unicode text that UTF-8 can encode: lone surrogates (category Cs) cannot be sent at all.
unicode_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)))
unicode_params = st.dictionaries(unicode_text, unicode_text, max_size=8)
# RFC 3986 unreserved characters: where the SDK's unencoded V3 names equal our encoded ones.
UNRESERVED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~"
unreserved_names = st.text(alphabet=UNRESERVED, min_size=1)
v3_params = st.dictionaries(unreserved_names, unicode_text, max_size=8)
# Header names are HTTP tokens; our v3 headers are lower-case and distinct.
header_names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1)
header_values = st.text(alphabet=st.characters(blacklist_categories=("Cs",)))
secrets = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1)

# --- the official worked examples, byte for byte -------------------------------

V1_EXAMPLE_PARAMS = {
    "AccessKeyId": "testid",
    "Action": "DescribeRegions",
    "Format": "XML",
    "SignatureMethod": "HMAC-SHA1",
    "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
    "SignatureVersion": "1.0",
    "Timestamp": "2016-02-23T12:46:24Z",
    "Version": "2014-05-26",
}
V1_EXAMPLE_STRING_TO_SIGN = (
    "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1"
    "%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0"
    "%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26"
)
V1_EXAMPLE_SIGNATURE = "OLeaidS1JvxuMvnyHOwuJ+uX5qY="

V3_EXAMPLE = dict(
    method="POST",
    host="ecs.cn-shanghai.aliyuncs.com",
    action="RunInstances",
    version="2014-05-26",
    params={"ImageId": "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd", "RegionId": "cn-shanghai"},
    access_key_id="YourAccessKeyId",
    access_key_secret="YourAccessKeySecret",
    nonce="3156853299f313e23d1673dc12e1703d",
    date="2023-10-26T10:22:32Z",
)
V3_EXAMPLE_SIGNED_HEADERS = "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version"
V3_EXAMPLE_SIGNATURE = "06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"


def test_v1_official_example_string_to_sign():
    assert v1_string_to_sign("GET", V1_EXAMPLE_PARAMS) == V1_EXAMPLE_STRING_TO_SIGN


def test_v1_official_example_signature():
    assert v1_signature("GET", V1_EXAMPLE_PARAMS, "testsecret") == V1_EXAMPLE_SIGNATURE


def test_v3_official_example_authorization():
    headers = v3_signed_headers(**V3_EXAMPLE)
    assert headers["Authorization"] == (
        "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=%s,Signature=%s"
        % (V3_EXAMPLE_SIGNED_HEADERS, V3_EXAMPLE_SIGNATURE))


def test_v3_official_example_headers():
    headers = v3_signed_headers(**V3_EXAMPLE)
    assert headers["host"] == "ecs.cn-shanghai.aliyuncs.com"
    assert headers["x-acs-action"] == "RunInstances"
    assert headers["x-acs-version"] == "2014-05-26"
    assert headers["x-acs-date"] == "2023-10-26T10:22:32Z"
    assert headers["x-acs-signature-nonce"] == "3156853299f313e23d1673dc12e1703d"
    assert headers["x-acs-content-sha256"] == EMPTY_PAYLOAD_SHA256
    assert EMPTY_PAYLOAD_SHA256 == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


# --- documented details --------------------------------------------------------


def test_percent_encode_follows_rfc_3986():
    assert percent_encode("AZaz09-_.~") == "AZaz09-_.~"
    assert percent_encode(" ") == "%20"
    assert percent_encode("*") == "%2A"
    assert percent_encode("+/:=&") == "%2B%2F%3A%3D%26"
    assert percent_encode("é") == "%C3%A9"
    assert percent_encode(10) == "10"


def test_canonical_query_sorts_by_name_and_drops_none():
    assert canonical_query({"b": "2", "a": "1", "c": None, "B": "0"}) == "B=0&a=1&b=2"


def test_v3_canonical_query_encodes_names_as_documented():
    # ENS_API.md: names and values are RFC 3986 encoded. The official SDK leaves
    # V3 names unencoded; the ENS API's own names (ImageId, PageSize, ...) are
    # unreserved characters only, where both agree (see the property test), and
    # for any other name we keep to the documented algorithm.
    params = {"Tag.1 Key": "a b", "Zeta": "z", "Ünï": "ü"}
    assert canonical_query(params) == "Tag.1%20Key=a%20b&Zeta=z&%C3%9Cn%C3%AF=%C3%BC"
    sdk_query = get_canonical_query_string(params)
    assert sdk_query != canonical_query(params)
    assert sdk_query.startswith("Tag.1 Key=")


def test_utc_timestamp_format():
    import datetime
    moment = datetime.datetime(2016, 2, 23, 12, 46, 24, 999, tzinfo=datetime.timezone.utc)
    assert utc_timestamp(moment) == "2016-02-23T12:46:24Z"


def test_v1_signed_query_carries_the_common_parameters():
    query = v1_signed_query("POST", "DescribeImageInfos", "2017-11-10", {"OsType": "linux", "Skip": None},
                            "keyid", "secret", security_token="token", nonce="n1",
                            timestamp="2024-01-01T00:00:00Z")
    signature = query.pop("Signature")
    assert query == {
        "OsType": "linux",
        "Action": "DescribeImageInfos",
        "Version": "2017-11-10",
        "Format": "JSON",
        "AccessKeyId": "keyid",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureVersion": "1.0",
        "SignatureNonce": "n1",
        "Timestamp": "2024-01-01T00:00:00Z",
        "SecurityToken": "token",
    }
    assert signature == Utils.get_rpcsignature(query, "POST", "secret")


def test_v1_signed_query_without_token_and_with_fresh_nonces():
    first = v1_signed_query("POST", "A", "1", {}, "keyid", "secret")
    second = v1_signed_query("POST", "A", "1", {}, "keyid", "secret")
    assert "SecurityToken" not in first
    assert first["SignatureNonce"] != second["SignatureNonce"]


def test_v3_signed_headers_sign_the_security_token_and_body():
    body = b'{"a": 1}'
    headers = v3_signed_headers("POST", "ens.aliyuncs.com", "DescribeImageInfos", "2017-11-10", {},
                                "keyid", "secret", security_token="token", nonce="n", date="d", body=body)
    assert headers["x-acs-security-token"] == "token"
    assert headers["x-acs-content-sha256"] == hashlib.sha256(body).hexdigest()
    assert "SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-security-token;" \
           "x-acs-signature-nonce;x-acs-version," in headers["Authorization"]


def test_v3_canonical_headers_lower_case_trim_and_sort():
    block, names = v3_canonical_headers({"X-Acs-B": " 2 ", "Host": "h", "x-acs-a": "1"})
    assert block == "host:h\nx-acs-a:1\nx-acs-b:2\n"
    assert names == "host;x-acs-a;x-acs-b"


# --- the official SDK as an oracle ---------------------------------------------


@PROPERTY_SETTINGS
@given(params=unicode_params, method=st.sampled_from(["GET", "POST"]), secret=secrets)
def test_v1_signature_equals_the_sdk(params, method, secret):
    assert v1_signature(method, params, secret) == Utils.get_rpcsignature(params, method, secret)


@PROPERTY_SETTINGS
@given(params=unicode_params)
def test_v1_string_to_sign_is_the_sdk_hmac_input(params):
    # The SDK hides its string to sign; an HMAC over ours with its key must give its signature.
    digest = hmac.new(b"k&", v1_string_to_sign("POST", params).encode("utf-8"), hashlib.sha1).digest()
    assert base64.b64encode(digest).decode("ascii") == Utils.get_rpcsignature(params, "POST", "k")


@PROPERTY_SETTINGS
@given(params=v3_params)
def test_v3_canonical_query_equals_the_sdk(params):
    assert canonical_query(params) == get_canonical_query_string(params)


@PROPERTY_SETTINGS
@given(headers=st.dictionaries(header_names, header_values, max_size=8))
def test_v3_canonical_headers_equal_the_sdk(headers):
    assert v3_canonical_headers(headers) == get_canonicalized_headers(headers)


def sdk_authorization(method, params, headers, payload_sha256, access_key_id, secret):
    request = DaraRequest()
    request.method = method
    request.pathname = "/"
    request.query = dict(params)
    request.headers = dict(headers)
    return Utils.get_authorization(request, "ACS3-HMAC-SHA256", payload_sha256, access_key_id, secret)


@PROPERTY_SETTINGS
@given(params=v3_params, headers=st.dictionaries(header_names, header_values, min_size=1, max_size=6),
       method=st.sampled_from(["GET", "POST"]), secret=secrets)
def test_v3_signature_equals_the_sdk(params, headers, method, secret):
    canonical = v3_canonical_request(method, "/", params, headers, EMPTY_PAYLOAD_SHA256)
    signature = v3_signature(canonical, secret)
    expected = sdk_authorization(method, params, headers, EMPTY_PAYLOAD_SHA256, "id", secret)
    assert expected.endswith(",Signature=" + signature)


@PROPERTY_SETTINGS
@given(params=v3_params, security_token=st.one_of(st.none(), st.text(alphabet=UNRESERVED, min_size=1)),
       body=st.binary(max_size=64), secret=secrets)
def test_v3_signed_headers_equal_the_sdk(params, security_token, body, secret):
    headers = v3_signed_headers("POST", "ens.aliyuncs.com", "DescribeImageInfos", "2017-11-10", params,
                                "keyid", secret, security_token=security_token, body=body)
    signed = dict((name, value) for name, value in headers.items() if name != "Authorization")
    expected = sdk_authorization("POST", params, signed, hashlib.sha256(body).hexdigest(), "keyid", secret)
    assert headers["Authorization"] == expected
