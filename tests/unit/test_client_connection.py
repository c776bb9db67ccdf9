"""Unit tests of connection.py: options to transport settings and a client (no request is sent)."""

import pytest

from ansible_collections.alicloud.ens.plugins.module_utils.connection import build_client, transport_options
from ansible_collections.alicloud.ens.plugins.module_utils.ens_client import DEFAULT_MAX_CONCURRENCY, EnsClient
from ansible_collections.alicloud.ens.plugins.module_utils.errors import EnsCredentialError, EnsOptionError
from ansible_collections.alicloud.ens.plugins.module_utils.options import DictOptionReader

KEYS = {"access_key_id": "LTAIid", "access_key_secret": "sec"}


def reader(**options):
    return DictOptionReader(options)


def test_defaults():
    options = transport_options(reader())
    assert options == {"signature_version": "v3", "validate_certs": True, "ca_path": None, "timeout": 10.0,
                       "max_retries": 8, "deadline": 300.0, "pool_size": DEFAULT_MAX_CONCURRENCY}


def test_options_are_passed_through():
    options = transport_options(reader(signature_version="v1", validate_certs=False, ca_path="/ca.pem", timeout=2.5,
                                       max_retries=0, deadline=30, max_concurrency=4))
    assert options == {"signature_version": "v1", "validate_certs": False, "ca_path": "/ca.pem", "timeout": 2.5,
                       "max_retries": 0, "deadline": 30.0, "pool_size": 4}


@pytest.mark.parametrize("option, value", [
    ("timeout", 0), ("timeout", -1), ("timeout", "soon"), ("timeout", "nan"),
    ("deadline", 0), ("deadline", "never"),
    ("max_retries", -1), ("max_retries", 1.5), ("max_retries", "many"),
    ("max_concurrency", 0), ("max_concurrency", "lots"),
    ("signature_version", "v2"),
])
def test_bad_values_name_the_option(option, value):
    with pytest.raises(EnsOptionError) as caught:
        transport_options(reader(**{option: value}))
    assert str(caught.value).startswith(option + ":")


def test_build_client_wires_endpoint_credentials_and_pool():
    client = build_client(reader(endpoint="https://127.0.0.1:8443", max_concurrency=5, signature_version="v1", **KEYS))
    try:
        assert isinstance(client, EnsClient)
        assert client.max_concurrency == 5
        transport = client.transport
        assert transport.endpoint_url == "https://127.0.0.1:8443" and transport.host == "127.0.0.1:8443"
        assert transport.signature_version == "v1"
        assert transport._sender.pool_size == 5
        assert (transport.api_calls, transport.retries) == (0, 0)
    finally:
        client.transport.close()


def test_build_client_resolves_the_region_endpoint():
    client = build_client(reader(region_id="ap-southeast-1", **KEYS))
    try:
        assert client.transport.endpoint_url == "https://ens.ap-southeast-1.aliyuncs.com"
    finally:
        client.transport.close()


def test_build_client_without_credentials_fails_naming_the_sources(tmp_path):
    with pytest.raises(EnsCredentialError) as caught:
        build_client(reader(endpoint="https://127.0.0.1:8443", config_file=str(tmp_path / "none.json")))
    assert "access_key_id" in str(caught.value) or "config" in str(caught.value)
