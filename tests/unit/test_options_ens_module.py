"""ens_module.run_query: results, errors turned into fail_json keywords, connections always closed."""

import pytest

from ansible_collections.alicloud.ens.plugins.module_utils.ens_module import module_argument_spec, run_query
from ansible_collections.alicloud.ens.plugins.module_utils.errors import EnsApiError, EnsCredentialError, EnsOptionError
from ansible_collections.alicloud.ens.plugins.module_utils.options import CONNECTION_OPTIONS, DictOptionReader


class Transport:
    def __init__(self):
        self.api_calls = 2
        self.retries = 1
        self.closed = False

    def close(self):
        self.closed = True


class Client:
    def __init__(self):
        self.transport = Transport()


def factory(clients):
    def build(reader):
        client = Client()
        clients.append(client)
        return client
    return build


def test_module_spec_is_the_connection_options_then_the_modules_own():
    spec = module_argument_spec({"latest": {"type": "bool", "default": False}})
    assert list(spec) == list(CONNECTION_OPTIONS) + ["latest"]


def test_success_returns_the_query_result_and_closes_the_transport():
    clients = []
    result, failure = run_query(lambda client, reader: {"images": [], "seen": reader.get("os_type")},
                                DictOptionReader({"os_type": "linux"}), factory(clients))
    assert (result, failure) == ({"images": [], "seen": "linux"}, None)
    assert clients[0].transport.closed


def test_api_error_gives_its_keys_the_message_and_the_cost():
    clients = []

    def query(client, reader):
        raise EnsApiError("Throttling.User", "Request was denied due to user flow control.", request_id="RID",
                          http_status=400, action="DescribeImageInfos")

    result, failure = run_query(query, DictOptionReader({}), factory(clients))
    assert result is None
    assert failure["code"] == "Throttling.User"
    assert failure["message"] == "Request was denied due to user flow control."
    assert (failure["request_id"], failure["http_status"], failure["recommend"]) == ("RID", 400, None)
    assert failure["msg"].startswith("DescribeImageInfos failed: Throttling.User (HTTP 400)")
    assert (failure["api_calls"], failure["retries"]) == (2, 1)
    assert clients[0].transport.closed


@pytest.mark.parametrize("error", [EnsOptionError("timeout", "must be more than 0 seconds, got -1"),
                                   EnsCredentialError("No Alibaba Cloud credentials found.")])
def test_errors_while_building_the_client_have_only_a_message(error):
    def build(reader):
        raise error

    result, failure = run_query(lambda client, reader: {}, DictOptionReader({}), build)
    assert result is None
    assert failure == {"msg": str(error)}


def test_other_exceptions_are_not_swallowed():
    clients = []

    def query(client, reader):
        raise ValueError("a bug")

    with pytest.raises(ValueError):
        run_query(query, DictOptionReader({}), factory(clients))
    assert clients[0].transport.closed
