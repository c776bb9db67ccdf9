"""The option table, the argument spec built from it, and the option readers."""

import pytest
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.alicloud.ens.plugins.module_utils import connection, credentials, ens_client
from ansible_collections.alicloud.ens.plugins.module_utils.options import (
    CONNECTION_OPTIONS,
    DictOptionReader,
    connection_argument_spec,
)
from ansible_collections.alicloud.ens.plugins.plugin_utils.plugin_options import PluginOptionReader

# docs/developing.md's table, row by row: (name, type, default, aliases, env).
DEVELOPING_TABLE = [
    ("access_key_id", "str", None, ("access_key", "alicloud_access_key"),
     ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY")),
    ("access_key_secret", "str", None, ("secret_key", "alicloud_secret_key"),
     ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALICLOUD_ACCESS_KEY_SECRET", "ALICLOUD_SECRET_KEY")),
    ("security_token", "str", None, ("alicloud_security_token",),
     ("ALIBABA_CLOUD_SECURITY_TOKEN", "ALICLOUD_SECURITY_TOKEN")),
    ("region_id", "str", None, ("region", "alicloud_region"),
     ("ALIBABA_CLOUD_REGION_ID", "ALICLOUD_REGION_ID", "ALICLOUD_REGION")),
    ("endpoint", "str", None, (), ("ALIBABA_CLOUD_ENS_ENDPOINT",)),
    ("endpoint_type", "str", "public", (), ()),
    ("signature_version", "str", "v3", (), ("ALIBABA_CLOUD_ENS_SIGNATURE_VERSION",)),
    ("validate_certs", "bool", True, (), ()),
    ("ca_path", "path", None, (), ()),
    ("timeout", "float", 10, (), ()),
    ("max_retries", "int", 8, (), ()),
    ("deadline", "float", 300, (), ()),
    ("max_concurrency", "int", 32, (), ()),
    ("profile", "str", None, (), ("ALIBABA_CLOUD_PROFILE", "ALICLOUD_PROFILE")),
    ("config_file", "path", "~/.aliyun/config.json", (), ("ALIBABA_CLOUD_CONFIG_FILE", "ALICLOUD_SHARED_CREDENTIALS_FILE")),
    ("ecs_role_name", "str", None, (), ("ALIBABA_CLOUD_ECS_METADATA", "ALICLOUD_ECS_ROLE_NAME")),
    ("ecs_metadata_endpoint", "str", "http://100.100.100.200", (), ("ALIBABA_CLOUD_ECS_METADATA_ENDPOINT",)),
    ("assume_role_arn", "str", None, (), ("ALIBABA_CLOUD_ROLE_ARN", "ALICLOUD_ASSUME_ROLE_ARN")),
    ("assume_role_session_name", "str", "alicloud-ens-ansible", (),
     ("ALIBABA_CLOUD_ROLE_SESSION_NAME", "ALICLOUD_ASSUME_ROLE_SESSION_NAME")),
    ("assume_role_duration", "int", 3600, (), ()),
    ("assume_role_policy", "str", None, (), ()),
    ("assume_role_external_id", "str", None, (), ()),
    ("sts_endpoint", "str", "sts.aliyuncs.com", (), ("ALIBABA_CLOUD_STS_ENDPOINT",)),
]

SECRETS = {"access_key_secret", "security_token", "assume_role_external_id"}


def validate(params):
    """Run the real Ansible validator over ``params`` with the connection spec."""
    result = ArgumentSpecValidator(connection_argument_spec()).validate(params)
    assert not result.error_messages, result.error_messages
    return result


@pytest.fixture
def clean_env(monkeypatch):
    for row in CONNECTION_OPTIONS.values():
        for name in row["env"]:
            monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_table_has_the_developing_guides_rows_in_order():
    assert list(CONNECTION_OPTIONS) == [row[0] for row in DEVELOPING_TABLE]


@pytest.mark.parametrize("name, option_type, default, aliases, env", DEVELOPING_TABLE)
def test_each_row_matches_the_developing_guide(name, option_type, default, aliases, env):
    row = CONNECTION_OPTIONS[name]
    assert (row["type"], row["default"], row["aliases"], row["env"]) == (option_type, default, aliases, env)
    assert row["no_log"] == (name in SECRETS)
    assert row["description"].strip()


def test_defaults_agree_with_the_code_that_applies_them_when_an_option_is_unset():
    """The lookup and direct callers get the code's defaults; the table (and so the docs) must say the same."""
    table = dict((name, row["default"]) for name, row in CONNECTION_OPTIONS.items())
    assert table["timeout"] == connection.DEFAULT_TIMEOUT
    assert table["max_retries"] == connection.DEFAULT_MAX_RETRIES
    assert table["deadline"] == connection.DEFAULT_DEADLINE
    assert table["max_concurrency"] == ens_client.DEFAULT_MAX_CONCURRENCY
    assert table["config_file"] == credentials.DEFAULT_CONFIG_FILE
    assert table["ecs_metadata_endpoint"] == credentials.DEFAULT_ECS_METADATA_ENDPOINT
    assert table["assume_role_session_name"] == credentials.DEFAULT_SESSION_NAME
    assert table["assume_role_duration"] == credentials.DEFAULT_ASSUME_ROLE_DURATION
    assert table["sts_endpoint"] == credentials.DEFAULT_STS_ENDPOINT


def test_choices():
    choices = dict((name, row["choices"]) for name, row in CONNECTION_OPTIONS.items() if row["choices"])
    assert choices == {"endpoint_type": ("public", "vpc"), "signature_version": ("v3", "v1")}


def test_argument_spec_fallbacks_follow_the_table_order():
    spec = connection_argument_spec()
    assert list(spec) == list(CONNECTION_OPTIONS)
    for name, row in CONNECTION_OPTIONS.items():
        if row["env"]:
            function, args = spec[name]["fallback"]
            assert function.__name__ == "env_fallback"
            assert args == list(row["env"])
        else:
            assert "fallback" not in spec[name]


def test_argument_spec_is_a_fresh_copy_each_time():
    first = connection_argument_spec()
    first["access_key_id"]["aliases"].append("mutated")
    assert "mutated" not in connection_argument_spec()["access_key_id"]["aliases"]


def test_defaults_apply(clean_env):
    params = validate({}).validated_parameters
    assert params["signature_version"] == "v3"
    assert params["endpoint_type"] == "public"
    assert params["validate_certs"] is True
    assert params["timeout"] == 10.0
    assert params["max_retries"] == 8
    assert params["access_key_id"] is None


def test_first_environment_variable_set_wins(clean_env):
    clean_env.setenv("ALICLOUD_ACCESS_KEY", "third")
    clean_env.setenv("ALICLOUD_ACCESS_KEY_ID", "second")
    assert validate({}).validated_parameters["access_key_id"] == "second"
    clean_env.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "first")
    assert validate({}).validated_parameters["access_key_id"] == "first"


def test_explicit_option_beats_the_environment(clean_env):
    clean_env.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "from-env")
    clean_env.setenv("ALIBABA_CLOUD_ENS_SIGNATURE_VERSION", "v1")
    params = validate({"access_key": "explicit", "signature_version": "v3"}).validated_parameters
    assert params["access_key_id"] == "explicit"
    assert params["signature_version"] == "v3"


def test_environment_beats_the_default(clean_env):
    clean_env.setenv("ALIBABA_CLOUD_ENS_SIGNATURE_VERSION", "v1")
    assert validate({}).validated_parameters["signature_version"] == "v1"


def test_secrets_from_options_and_environment_are_no_log_values(clean_env):
    clean_env.setenv("ALICLOUD_SECURITY_TOKEN", "token-from-env")
    result = validate({"secret_key": "secret-from-option", "assume_role_external_id": "external"})
    assert {"secret-from-option", "token-from-env", "external"} <= set(result._no_log_values)


def test_bad_choice_names_the_option_and_the_choices(clean_env):
    result = ArgumentSpecValidator(connection_argument_spec()).validate({"signature_version": "v2"})
    message = " ".join(result.error_messages)
    assert "signature_version" in message and "v3" in message and "v1" in message


def test_dict_reader_returns_values_and_defaults():
    reader = DictOptionReader({"endpoint": "https://x", "timeout": None, "validate_certs": False})
    assert reader.get("endpoint") == "https://x"
    assert reader.get("timeout", 5) == 5
    assert reader.get("validate_certs", True) is False
    assert reader.get("undeclared", "fallback") == "fallback"


class FakePlugin:
    def __init__(self, options):
        self._options = options

    def get_option(self, name):
        return self._options[name]


def test_plugin_reader_returns_values_and_defaults():
    reader = PluginOptionReader(FakePlugin({"endpoint": "https://x", "timeout": None, "max_retries": 0}))
    assert reader.get("endpoint") == "https://x"
    assert reader.get("timeout", 5) == 5
    assert reader.get("max_retries", 8) == 0
    assert reader.get("undeclared") is None
    assert reader.get("undeclared", "fallback") == "fallback"
