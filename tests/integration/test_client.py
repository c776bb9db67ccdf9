"""The client against a real emulator over HTTPS: both signatures, STS tokens, errors, pagination, concurrency."""

import pytest

from ansible_collections.alicloud.ens.plugins.module_utils.connection import build_client
from ansible_collections.alicloud.ens.plugins.module_utils.ens_client import ENS_API_VERSION
from ansible_collections.alicloud.ens.plugins.module_utils.errors import EnsApiError
from ansible_collections.alicloud.ens.plugins.module_utils.options import DictOptionReader
from tests.emulator import catalogue

SIGNATURE_VERSIONS = ("v3", "v1")
EXPORT = "DescribeExportImageInfo"


def client_for(emulator, signature_version="v3", **overrides):
    options = emulator.module_args(signature_version)
    options.update(overrides)
    return build_client(DictOptionReader(options))


def export_ids(result):
    return [image["image_id"] for image in result["images"]]


def expected_export_ids(count, seed=catalogue.DEFAULT_SEED):
    """The emulator's records in its listing order, computed from its own catalogue."""
    records = catalogue.listing_order(catalogue.export_records(count, seed))
    return [raw["ImageId"] for raw in records]


@pytest.mark.parametrize("signature_version", SIGNATURE_VERSIONS)
def test_describe_image_infos_in_both_signature_versions(ens_emulator, signature_version):
    client = client_for(ens_emulator, signature_version)
    result = client.describe_image_infos(os_type="linux")
    assert result["request_id"]
    assert result["images"] and all(image["os_type"] == "linux" for image in result["images"])
    assert sorted(image["image_id"] for image in result["images"]) == sorted(
        raw["ImageId"] for raw in catalogue.images_for_os_type("linux"))
    assert (client.transport.api_calls, client.transport.retries) == (1, 0)


@pytest.mark.parametrize("signature_version", SIGNATURE_VERSIONS)
def test_with_an_sts_token_in_both_signature_versions(start_emulator, signature_version):
    emulator = start_emulator("--security-token", "tok+/=en")
    assert client_for(emulator, signature_version).describe_image_infos()["images"]
    with pytest.raises(EnsApiError) as caught:
        client_for(emulator, signature_version, security_token="wrong").describe_image_infos()
    assert caught.value.http_status in (400, 403)
    assert "tok+/=en" not in str(caught.value) and "wrong" not in str(caught.value)


@pytest.mark.parametrize("signature_version", SIGNATURE_VERSIONS)
def test_parameters_of_any_text_are_signed_as_sent(ens_emulator, signature_version):
    client = client_for(ens_emulator, signature_version)
    for name in ("a b*c~d+e/f%41", "图像-名称", "x=y&z", "'quoted' \"too\"", "tab\there"):
        result = client.describe_export_image_info(image_name=name)
        assert result["total_count"] == 0 and result["images"] == []


@pytest.mark.parametrize("signature_version", SIGNATURE_VERSIONS)
def test_api_errors_surface_with_code_message_request_id_and_status(ens_emulator, signature_version):
    cases = [
        (dict(access_key_secret="not-the-secret"), "SignatureDoesNotMatch", 400),
        (dict(access_key_id="LTAIunknown"), "InvalidAccessKeyId.NotFound", 404),
    ]
    for overrides, code, status in cases:
        ens_emulator.reset_stats()
        client = client_for(ens_emulator, signature_version, **overrides)
        with pytest.raises(EnsApiError) as caught:
            client.describe_image_infos()
        error = caught.value
        assert (error.code, error.http_status) == (code, status)
        assert error.message and error.request_id and error.recommend
        assert "not-the-secret" not in str(error)
        # Not retryable: exactly one request reached the emulator.
        assert ens_emulator.stats()["requests"] == {"DescribeImageInfos": 1}
        assert client.transport.api_calls == 1


def test_invalid_parameters_are_not_retried(ens_emulator):
    ens_emulator.reset_stats()
    client = client_for(ens_emulator)
    with pytest.raises(EnsApiError) as caught:
        client.transport.call(EXPORT, ENS_API_VERSION, {"PageSize": 51})
    assert caught.value.code.startswith("InvalidParameter") and caught.value.http_status == 400
    with pytest.raises(EnsApiError) as caught:
        client.describe_image_infos(os_type="bsd")
    assert caught.value.code == "InvalidParameter.OsType"
    stats = ens_emulator.stats()["requests"]
    assert (stats[EXPORT], stats["DescribeImageInfos"]) == (1, 1)


def test_an_untrusted_certificate_fails_at_once_as_a_connection_error(ens_emulator):
    ens_emulator.reset_stats()
    client = client_for(ens_emulator, ca_path=None)
    with pytest.raises(EnsApiError) as caught:
        client.describe_image_infos()
    assert caught.value.code == "ConnectionError" and "SSLCertVerificationError" in caught.value.message
    assert "set ca_path" in caught.value.message
    assert client.transport.api_calls == 1 and client.transport.retries == 0
    assert ens_emulator.stats()["requests"] == {}


def test_validate_certs_false_accepts_the_certificate(ens_emulator):
    client = client_for(ens_emulator, ca_path=None, validate_certs=False)
    assert client.describe_image_infos()["images"]


def test_plain_http_endpoint(start_emulator):
    emulator = start_emulator(http=True)
    assert emulator.url.startswith("http://")
    assert client_for(emulator, "v1").describe_image_infos()["images"]
    assert client_for(emulator, "v3").describe_image_infos()["images"]


def test_nothing_listens_is_a_connection_error_after_retries(unused_tcp_port):
    options = {"access_key_id": "LTAIx", "access_key_secret": "secret-value", "endpoint": "https://127.0.0.1:%d" % unused_tcp_port,
               "max_retries": 2, "timeout": 2}
    client = build_client(DictOptionReader(options))
    with pytest.raises(EnsApiError) as caught:
        client.describe_image_infos()
    assert caught.value.code == "ConnectionError"
    assert client.transport.api_calls == 3 and client.transport.retries == 2
    assert "Signature" not in str(caught.value) and "secret-value" not in str(caught.value)


@pytest.fixture
def unused_tcp_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("signature_version", SIGNATURE_VERSIONS)
def test_one_page(start_emulator, signature_version):
    emulator = start_emulator("--export-images", "25")
    result = client_for(emulator, signature_version).describe_export_image_info(page_number=3, page_size=10)
    assert result["total_count"] == 25 and (result["page_number"], result["page_size"]) == (3, 10)
    assert export_ids(result) == expected_export_ids(25)[20:25]


@pytest.mark.parametrize("count", [0, 1, 50, 51, 137])
def test_listing_is_exact_for_page_edges(start_emulator, count):
    emulator = start_emulator("--export-images", str(count))
    client = client_for(emulator)
    result = client.list_export_images()
    assert result["total_count"] == count
    assert export_ids(result) == expected_export_ids(count)
    assert client.transport.api_calls == max(1, -(-count // 50))


@pytest.mark.parametrize("signature_version", SIGNATURE_VERSIONS)
def test_ten_thousand_records_exactly_once_and_concurrency_bounded(start_emulator, signature_version):
    emulator = start_emulator("--export-images", "10000", "--latency-ms", "20")
    client = client_for(emulator, signature_version, max_concurrency=6)
    result = client.list_export_images()
    assert result["total_count"] == 10000
    assert export_ids(result) == expected_export_ids(10000)
    stats = emulator.stats()
    assert stats["requests"][EXPORT] == 200 == client.transport.api_calls
    assert stats["max_in_flight"][EXPORT] == 6


def test_filters_reach_the_api(start_emulator):
    emulator = start_emulator("--export-images", "120")
    wanted = expected_export_ids(120)[7]
    result = client_for(emulator).list_export_images(image_id=wanted)
    assert export_ids(result) == [wanted] and result["total_count"] == 1
