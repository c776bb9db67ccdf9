"""The official SDK (alibabacloud-ens20171110) against the emulator, in both signature versions.

If the emulator refused what the official SDK sends, the emulator would be
wrong: the real API accepts it. How the SDK picks the algorithm
(alibabacloud_tea_openapi/client.py, ``call_api``): ``Config.signature_algorithm``
unset means ACS3-HMAC-SHA256 (V3, ``do_request``); ``'v2'`` means the classic
RPC HMAC-SHA1 signature (V1, ``do_rpcrequest``). Its HTTP stack
(darabonba ``DaraCore.do_action`` over ``requests``) verifies TLS against
``Config.ca`` / ``RuntimeOptions.ca`` when given, else certifi's bundle.
"""

from urllib.parse import urlsplit

import pytest
from alibabacloud_ens20171110 import models
from alibabacloud_ens20171110.client import Client
from alibabacloud_tea_openapi.exceptions import ClientException
from alibabacloud_tea_openapi.models import Config
from darabonba.runtime import RuntimeOptions

from tests.emulator import catalogue

SDK_ALGORITHMS = {"v1": "v2", "v3": None}
SIGNATURES = ("v1", "v3")
TOKEN = "CAISsdkTestToken"


def sdk_client(emulator, signature, with_ca=True, **overrides):
    settings = dict(
        access_key_id=emulator.access_key_id,
        access_key_secret=emulator.access_key_secret,
        security_token=emulator.security_token,
        endpoint=urlsplit(emulator.url).netloc,
        protocol="https",
        signature_algorithm=SDK_ALGORITHMS[signature],
        ca=emulator.ca_path if with_ca else None,
        read_timeout=10000,
        connect_timeout=5000,
    )
    settings.update(overrides)
    return Client(Config(**settings))


def runtime(ca_path=None):
    return RuntimeOptions(ca=ca_path, autoretry=False)


@pytest.mark.parametrize("signature", SIGNATURES)
@pytest.mark.parametrize("os_type", [None, "linux", "windows"])
def test_sdk_describe_image_infos(start_emulator, signature, os_type):
    emulator = start_emulator()
    response = sdk_client(emulator, signature).describe_image_infos_with_options(
        models.DescribeImageInfosRequest(os_type=os_type), runtime())
    body = response.body.to_map()
    assert response.status_code == 200
    assert body["Code"] == 0
    assert body["Images"]["Image"] == catalogue.images_for_os_type(os_type)
    assert emulator.stats()["signatures"] == {signature: 1}


@pytest.mark.parametrize("signature", SIGNATURES)
def test_sdk_page_loop_gets_every_export_record(ens_emulator, signature):
    client = sdk_client(ens_emulator, signature)
    records, page_number = [], 1
    while True:
        body = client.describe_export_image_info_with_options(
            models.DescribeExportImageInfoRequest(page_number=page_number, page_size=4), runtime()).body.to_map()
        records.extend(body["Images"]["Image"])
        if page_number * 4 >= body["TotalCount"]:
            break
        page_number += 1
    assert records == catalogue.listing_order(catalogue.export_records())


@pytest.mark.parametrize("signature", SIGNATURES)
def test_sdk_export_filter(ens_emulator, signature):
    wanted = catalogue.export_records()[2]
    body = sdk_client(ens_emulator, signature).describe_export_image_info_with_options(
        models.DescribeExportImageInfoRequest(image_name=wanted["ImageName"]), runtime()).body.to_map()
    assert body["Images"]["Image"] == [wanted]
    assert body["TotalCount"] == 1


@pytest.mark.parametrize("signature", SIGNATURES)
def test_sdk_wrong_secret_is_refused(ens_emulator, signature):
    client = sdk_client(ens_emulator, signature, access_key_secret="notTheSecret")
    with pytest.raises(ClientException) as raised:
        client.describe_image_infos_with_options(models.DescribeImageInfosRequest(), runtime())
    assert raised.value.code == "SignatureDoesNotMatch"
    assert raised.value.status_code == 400


@pytest.mark.parametrize("signature", SIGNATURES)
def test_sdk_unknown_key_is_refused(ens_emulator, signature):
    client = sdk_client(ens_emulator, signature, access_key_id="LTAInobody")
    with pytest.raises(ClientException) as raised:
        client.describe_image_infos_with_options(models.DescribeImageInfosRequest(), runtime())
    assert (raised.value.code, raised.value.status_code) == ("InvalidAccessKeyId.NotFound", 404)


@pytest.mark.parametrize("signature", SIGNATURES)
def test_sdk_with_security_token(start_emulator, signature):
    emulator = start_emulator("--security-token", TOKEN)
    response = sdk_client(emulator, signature).describe_image_infos_with_options(
        models.DescribeImageInfosRequest(os_type="linux"), runtime())
    assert response.body.to_map()["Images"]["Image"] == catalogue.images_for_os_type("linux")
    with pytest.raises(ClientException) as raised:
        sdk_client(emulator, signature, security_token=TOKEN + "x").describe_image_infos_with_options(
            models.DescribeImageInfosRequest(), runtime())
    assert raised.value.code == "InvalidSecurityToken.Mismatch"


def test_sdk_trusts_the_ca_from_runtime_options(start_emulator):
    emulator = start_emulator()
    client = sdk_client(emulator, "v3", with_ca=False)
    response = client.describe_image_infos_with_options(models.DescribeImageInfosRequest(),
                                                        runtime(emulator.ca_path))
    assert response.status_code == 200


def test_sdk_without_the_ca_fails_tls_verification(start_emulator):
    # A fresh emulator: the SDK keeps connections alive per host, and a kept
    # connection verified earlier would not be verified again.
    emulator = start_emulator()
    client = sdk_client(emulator, "v3", with_ca=False)
    with pytest.raises(Exception) as raised:
        client.describe_image_infos_with_options(models.DescribeImageInfosRequest(), runtime())
    assert "CERTIFICATE_VERIFY_FAILED" in str(raised.value)
