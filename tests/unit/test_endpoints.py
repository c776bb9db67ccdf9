"""Endpoint resolution: explicit endpoint, region map, VPC endpoints, validation."""

import pytest

from ansible_collections.alicloud.ens.plugins.module_utils.endpoints import CENTRAL_REGIONS, endpoint_url, resolve_endpoint
from ansible_collections.alicloud.ens.plugins.module_utils.errors import EnsOptionError

CHINA_CENTRAL_REGIONS = ["cn-beijing", "cn-zhangjiakou", "cn-wulanchabu", "cn-hangzhou", "cn-shanghai",
                         "cn-heyuan", "cn-chengdu"]


def test_central_regions_are_the_documented_ones():
    assert sorted(CENTRAL_REGIONS) == sorted(CHINA_CENTRAL_REGIONS)


def test_no_region_no_endpoint_uses_the_central_endpoint():
    assert resolve_endpoint() == "https://ens.aliyuncs.com"
    assert resolve_endpoint(endpoint="", region_id="") == "https://ens.aliyuncs.com"
    assert resolve_endpoint(endpoint_type=None) == "https://ens.aliyuncs.com"


@pytest.mark.parametrize("region_id", CHINA_CENTRAL_REGIONS)
def test_china_regions_use_the_central_endpoint(region_id):
    assert resolve_endpoint(region_id=region_id) == "https://ens.aliyuncs.com"


@pytest.mark.parametrize("region_id", ["ap-southeast-1", "cn-guangzhou", "eu-central-1", "me-east-1", "cn-hongkong"])
def test_other_regions_use_their_own_host(region_id):
    assert resolve_endpoint(region_id=region_id) == "https://ens.%s.aliyuncs.com" % region_id


@pytest.mark.parametrize("region_id", ["cn-zhangjiakou", "ap-southeast-1", "cn-beijing"])
def test_vpc_endpoints(region_id):
    assert resolve_endpoint(region_id=region_id, endpoint_type="vpc") == "https://ens-vpc.%s.aliyuncs.com" % region_id


def test_vpc_needs_a_region():
    with pytest.raises(EnsOptionError) as caught:
        resolve_endpoint(endpoint_type="vpc")
    assert caught.value.option == "region_id"
    assert str(caught.value).startswith("region_id: ")
    assert "vpc" in str(caught.value)


def test_explicit_endpoint_wins_over_the_vpc_rule():
    assert resolve_endpoint(endpoint="127.0.0.1:8443", endpoint_type="vpc") == "https://127.0.0.1:8443"


def test_unknown_endpoint_type():
    with pytest.raises(EnsOptionError) as caught:
        resolve_endpoint(endpoint_type="private")
    assert caught.value.option == "endpoint_type"
    assert "public, vpc" in str(caught.value)


@pytest.mark.parametrize("endpoint, expected", [
    ("ens.aliyuncs.com", "https://ens.aliyuncs.com"),
    ("ens.example.com.", "https://ens.example.com."),
    ("localhost", "https://localhost"),
    ("127.0.0.1:8443", "https://127.0.0.1:8443"),
    ("  127.0.0.1:8443  ", "https://127.0.0.1:8443"),
    ("https://127.0.0.1:8443", "https://127.0.0.1:8443"),
    ("https://127.0.0.1:8443/", "https://127.0.0.1:8443"),
    ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
    ("http://localhost", "http://localhost"),
    ("HTTPS://ENS.Example.COM:443", "https://ens.example.com:443"),
    ("[::1]:8443", "https://[::1]:8443"),
    ("https://[::1]", "https://[::1]"),
    ("http://[2001:db8::1]:80/", "http://[2001:db8::1]:80"),
])
def test_explicit_endpoints(endpoint, expected):
    assert resolve_endpoint(endpoint=endpoint) == expected


def test_explicit_endpoint_wins_over_the_region():
    assert resolve_endpoint(endpoint="https://127.0.0.1:9", region_id="ap-southeast-1") == "https://127.0.0.1:9"


@pytest.mark.parametrize("endpoint, reason", [
    ("ftp://ens.aliyuncs.com", "scheme"),
    ("file:///etc/passwd", "scheme"),
    ("https://", "host"),
    ("https://:8443", "host"),
    ("::1", "host"),
    ("ens aliyuncs com", "host"),
    ("ens.aliyuncs.com:0", "port"),
    ("ens.aliyuncs.com:65536", "port"),
    ("ens.aliyuncs.com:https", "port"),
    ("ens.aliyuncs.com:", "port"),
    ("https://ens.aliyuncs.com/api", "path"),
    ("ens.aliyuncs.com/?a=b", "path"),
    ("https://ens.aliyuncs.com#x", "path"),
])
def test_bad_endpoints_say_what_is_accepted(endpoint, reason):
    with pytest.raises(EnsOptionError) as caught:
        resolve_endpoint(endpoint=endpoint)
    message = str(caught.value)
    assert caught.value.option == "endpoint"
    assert message.startswith("endpoint: %r" % endpoint)
    assert reason in message
    assert "http/https URL" in message and "host:port" in message


def test_user_information_is_refused_and_never_echoed():
    with pytest.raises(EnsOptionError) as caught:
        resolve_endpoint(endpoint="https://key:s3cr3tvalue@ens.aliyuncs.com")
    assert caught.value.option == "endpoint"
    assert "s3cr3tvalue" not in str(caught.value)
    assert "user information" in str(caught.value)


@pytest.mark.parametrize("region_id", ["CN-BEIJING", "cn_beijing", "cn-beijing ", "ens.aliyuncs.com", "a/b", 42])
def test_bad_regions(region_id):
    with pytest.raises(EnsOptionError) as caught:
        resolve_endpoint(region_id=region_id)
    assert caught.value.option == "region_id"
    assert "cn-beijing" in str(caught.value)


def test_bad_region_is_refused_even_with_an_endpoint():
    with pytest.raises(EnsOptionError) as caught:
        resolve_endpoint(endpoint="127.0.0.1:8443", region_id="Not A Region")
    assert caught.value.option == "region_id"


def test_endpoint_url_errors_can_name_another_option():
    assert endpoint_url("sts.aliyuncs.com", option="sts_endpoint") == "https://sts.aliyuncs.com"
    with pytest.raises(EnsOptionError) as caught:
        endpoint_url("ftp://sts.aliyuncs.com", option="sts_endpoint")
    assert caught.value.option == "sts_endpoint"
    assert str(caught.value).startswith("sts_endpoint: 'ftp://sts.aliyuncs.com'")
