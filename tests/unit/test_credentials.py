"""Unit tests of the credential chain's pure parts and of the chain without network sources."""

import json
import threading
import time

import pytest

from ansible_collections.alicloud.ens.plugins.module_utils import credential_sources as sources
from ansible_collections.alicloud.ens.plugins.module_utils import credentials as chain
from ansible_collections.alicloud.ens.plugins.module_utils.errors import EnsCredentialError, EnsOptionError
from ansible_collections.alicloud.ens.plugins.module_utils.transport import Credentials

SECRET = "profileSecretValue42"
TOKEN = "profileStsTokenValue42"


@pytest.fixture(autouse=True)
def empty_home(tmp_path, monkeypatch):
    """A HOME without ~/.aliyun, so the developer's own config file never leaks into a test."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    return home


def write_config(directory, profiles, current=None, name="config.json"):
    config = {"profiles": profiles}
    if current is not None:
        config["current"] = current
    path = directory / name
    path.write_text(json.dumps(config))
    return str(path)


def ak_profile(name="default", **extra):
    profile = {"name": name, "mode": "AK", "access_key_id": "LTAI" + name, "access_key_secret": SECRET}
    profile.update(extra)
    return profile


# --- expiry ---------------------------------------------------------------

def test_parse_expiration_is_utc_epoch_seconds():
    assert chain.parse_expiration("1970-01-02T00:00:00Z") == 86400
    assert chain.parse_expiration("2024-02-20T10:00:00Z") == 1708423200


@pytest.mark.parametrize("text", ["", "2024-02-20 10:00:00", "tomorrow"])
def test_parse_expiration_rejects_other_forms(text):
    with pytest.raises(ValueError):
        chain.parse_expiration(text)


def test_refresh_margin_is_capped_and_proportional():
    assert chain.refresh_margin(3600) == chain.MAX_REFRESH_MARGIN
    assert chain.refresh_margin(900) == pytest.approx(180)
    assert chain.refresh_margin(10) == pytest.approx(2)
    assert chain.refresh_margin(-5) == 0


@pytest.mark.parametrize("now, due", [(1000, False), (4299, False), (4300, True), (4600, True), (9999, True)])
def test_refresh_due_five_minutes_before_expiry_of_an_hour_token(now, due):
    assert chain.refresh_due(now, fetched_at=1000, expires_at=4600) is due


class FakeClock:
    def __init__(self, now=1000.0):
        self.now = now

    def __call__(self):
        return self.now


class CountingFetch:
    """Issues numbered temporary credentials that live ``lifetime`` seconds from the clock's now."""

    def __init__(self, clock, lifetime=3600, delay=0.0):
        self.clock = clock
        self.lifetime = lifetime
        self.delay = delay
        self.calls = 0

    def __call__(self):
        self.calls += 1
        time.sleep(self.delay)
        creds = Credentials("STS.id%d" % self.calls, "secret%d" % self.calls, "token%d" % self.calls)
        return creds, self.clock() + self.lifetime


def test_refreshing_credentials_reuse_until_shortly_before_expiry():
    clock = FakeClock()
    fetch = CountingFetch(clock)
    provider = chain.RefreshingCredentials(fetch, clock=clock)
    assert provider.get().access_key_id == "STS.id1"
    clock.now += 3000
    assert provider.get().access_key_id == "STS.id1"
    assert fetch.calls == 1
    clock.now += 400  # 200 s before expiry: inside the 300 s margin
    assert provider.get().access_key_id == "STS.id2"
    assert provider.get().security_token == "token2"
    assert fetch.calls == 2


def test_refreshing_credentials_short_lived_tokens_are_reused_too():
    clock = FakeClock()
    fetch = CountingFetch(clock, lifetime=10)
    provider = chain.RefreshingCredentials(fetch, clock=clock)
    provider.get()
    clock.now += 7
    provider.get()
    assert fetch.calls == 1
    clock.now += 1.5
    provider.get()
    assert fetch.calls == 2


def test_refreshing_credentials_fetch_once_for_concurrent_callers():
    fetch = CountingFetch(time.time, delay=0.05)
    provider = chain.RefreshingCredentials(fetch)
    seen = []
    threads = [threading.Thread(target=lambda: seen.append(provider.get().access_key_id)) for _thread in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert fetch.calls == 1
    assert seen == ["STS.id1"] * 16


def test_refreshing_credentials_retry_after_a_failed_fetch():
    clock = FakeClock()
    outcomes = [EnsCredentialError("metadata down"), (Credentials("a", "b", "c"), 99999)]

    def fetch():
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    provider = chain.RefreshingCredentials(fetch, clock=clock)
    with pytest.raises(EnsCredentialError):
        provider.get()
    assert provider.get().access_key_id == "a"


# --- config file ----------------------------------------------------------

def test_parse_config_not_json_names_the_file_and_profile():
    with pytest.raises(EnsCredentialError) as caught:
        sources.parse_config("{not json", "/x/config.json", "ops")
    assert str(caught.value) == ("profile 'ops' in /x/config.json: the aliyun CLI config file is not valid JSON "
                                 "(line 1, column 2)")


@pytest.mark.parametrize("text", ["[]", '"AK"', '{"profiles": {"name": "default"}}'])
def test_parse_config_wrong_shape_names_the_file_and_profile(text):
    with pytest.raises(EnsCredentialError, match=r"profile '\(current\)' in /x/config\.json: the file is not an aliyun CLI config"):
        sources.parse_config(text, "/x/config.json")


def test_select_profile_by_request_then_current_then_default():
    config = {"current": "work", "profiles": [ak_profile("default"), ak_profile("work"), ak_profile("other")]}
    assert sources.select_profile(config, "/c.json", "other")["name"] == "other"
    assert sources.select_profile(config, "/c.json")["name"] == "work"
    del config["current"]
    assert sources.select_profile(config, "/c.json")["name"] == "default"


def test_select_profile_unknown_names_file_profile_and_known_profiles():
    config = {"current": "work", "profiles": [ak_profile("default"), ak_profile("work")]}
    with pytest.raises(EnsCredentialError) as caught:
        sources.select_profile(config, "/c.json", "prod")
    message = str(caught.value)
    assert "'prod'" in message and "/c.json" in message and "default, work" in message


def test_select_profile_unsupported_mode_names_file_profile_and_mode():
    config = {"profiles": [{"name": "sso", "mode": "CloudSSO"}]}
    with pytest.raises(EnsCredentialError, match=r"profile 'sso' in /c\.json has mode 'CloudSSO'.*supported: AK, EcsRamRole, RamRoleArn, StsToken"):
        sources.select_profile(config, "/c.json", "sso")


@pytest.mark.parametrize("mode, fields, missing", [
    ("AK", {"access_key_id": "LTAIx"}, "access_key_secret"),
    ("StsToken", {"access_key_id": "STS.x", "access_key_secret": SECRET}, "sts_token"),
    ("RamRoleArn", {"access_key_id": "LTAIx", "access_key_secret": SECRET, "ram_role_arn": ""}, "ram_role_arn"),
    ("EcsRamRole", {}, "ram_role_name"),
])
def test_select_profile_missing_fields_named_without_values(mode, fields, missing):
    profile = dict(fields, name="p", mode=mode)
    with pytest.raises(EnsCredentialError) as caught:
        sources.select_profile({"profiles": [profile]}, "/c.json", "p")
    message = str(caught.value)
    assert "profile 'p' in /c.json (mode %s) is missing %s" % (mode, missing) == message
    assert SECRET not in message


def test_profile_key_credentials_carry_the_sts_token():
    profile = {"access_key_id": "STS.x", "access_key_secret": SECRET, "sts_token": TOKEN}
    assert chain.profile_key_credentials(profile) == Credentials("STS.x", SECRET, TOKEN)
    del profile["sts_token"]
    assert chain.profile_key_credentials(profile).security_token is None


# --- assume role settings -------------------------------------------------

def test_assume_role_settings_absent_without_role_arn():
    assert chain.assume_role_settings({"assume_role_duration": 10}) is None


def test_assume_role_settings_defaults():
    settings = chain.assume_role_settings({"assume_role_arn": "acs:ram::1:role/r"})
    assert settings == chain.AssumeRoleSettings("acs:ram::1:role/r", "alicloud-ens-ansible", 3600, None, None)


@pytest.mark.parametrize("duration", [899, 0, -1, "abc", "12.5"])
def test_assume_role_duration_below_900_or_not_a_number_is_an_option_error(duration):
    with pytest.raises(EnsOptionError) as caught:
        chain.assume_role_settings({"assume_role_arn": "acs:ram::1:role/r", "assume_role_duration": duration})
    assert caught.value.option == "assume_role_duration"
    assert str(caught.value).startswith("assume_role_duration: ")


def test_assume_role_params_send_only_what_is_set():
    settings = chain.AssumeRoleSettings("acs:ram::1:role/r", "s", 900, '{"Version": "1"}', None)
    assert chain.assume_role_params(settings) == {
        "RoleArn": "acs:ram::1:role/r", "RoleSessionName": "s", "DurationSeconds": "900",
        "Policy": '{"Version": "1"}', "ExternalId": None,
    }


def test_ram_role_arn_profile_fields_win_over_option_defaults():
    profile = {"ram_role_arn": "acs:ram::1:role/p", "ram_session_name": "cli", "expired_seconds": 1200, "external_id": "ext"}
    settings = chain.profile_assume_role_settings(profile, {"assume_role_session_name": "opt", "assume_role_duration": 3600})
    assert settings == chain.AssumeRoleSettings("acs:ram::1:role/p", "cli", 1200, None, "ext")
    bare = chain.profile_assume_role_settings({"ram_role_arn": "acs:ram::1:role/p"}, {})
    assert (bare.session_name, bare.duration) == ("alicloud-ens-ansible", 3600)


def test_sts_transport_options_force_v1():
    options = chain.sts_transport_options({"signature_version": "v3", "ca_path": "/ca.pem", "timeout": 5})
    assert options == {"signature_version": "v1", "ca_path": "/ca.pem", "timeout": 5}


# --- temporary credentials from responses ---------------------------------

def test_sts_response_credentials():
    body = {"Credentials": {"AccessKeyId": "STS.a", "AccessKeySecret": "s", "SecurityToken": "t",
                            "Expiration": "1970-01-01T01:00:00Z"}, "RequestId": "r"}
    assert chain.sts_response_credentials(body, "arn") == (Credentials("STS.a", "s", "t"), 3600)


def test_sts_response_without_credentials_is_a_credential_error_without_secrets():
    body = {"Credentials": {"AccessKeyId": "STS.a", "AccessKeySecret": SECRET, "SecurityToken": TOKEN}}
    with pytest.raises(EnsCredentialError) as caught:
        chain.sts_response_credentials(body, "acs:ram::1:role/r")
    assert "acs:ram::1:role/r" in str(caught.value)
    assert SECRET not in str(caught.value) and TOKEN not in str(caught.value)


def test_metadata_response_must_say_success():
    body = {"Code": "Failure", "AccessKeyId": "STS.a", "AccessKeySecret": SECRET, "SecurityToken": TOKEN,
            "Expiration": "1970-01-01T01:00:00Z"}
    with pytest.raises(EnsCredentialError, match="'Failure'"):
        chain.metadata_response_credentials(body, "role")
    body["Code"] = "Success"
    assert chain.metadata_response_credentials(body, "role") == (Credentials("STS.a", SECRET, TOKEN), 3600)


@pytest.mark.parametrize("value, scheme, url", [
    ("100.100.100.200", "http", "http://100.100.100.200"),
    ("https://127.0.0.1:8443/", "http", "https://127.0.0.1:8443"),
    (" sts.aliyuncs.com ", "https", "https://sts.aliyuncs.com"),
])
def test_option_url(value, scheme, url):
    assert chain.option_url("sts_endpoint", value, scheme) == url


def test_option_url_errors_name_the_option():
    with pytest.raises(EnsOptionError) as caught:
        chain.option_url("ecs_metadata_endpoint", "ftp://100.100.100.200", "http")
    assert caught.value.option == "ecs_metadata_endpoint"
    assert str(caught.value).startswith("ecs_metadata_endpoint: 'ftp://100.100.100.200' is not accepted")


def test_metadata_verify_follows_transport_tls_options():
    assert chain.metadata_verify({}) is True
    assert chain.metadata_verify({"ca_path": "/ca.pem"}) == "/ca.pem"
    assert chain.metadata_verify({"validate_certs": False, "ca_path": "/ca.pem"}) is False


# --- the chain without network sources ------------------------------------

def test_explicit_keys_with_token():
    provider = chain.credentials_from_options(
        {"access_key_id": "LTAIkey", "access_key_secret": "sec", "security_token": "tok"}, {})
    assert provider.get() == Credentials("LTAIkey", "sec", "tok")


@pytest.mark.parametrize("reader, missing", [
    ({"access_key_id": "LTAIkey"}, "access_key_secret"),
    ({"access_key_secret": SECRET}, "access_key_id"),
])
def test_half_a_key_pair_is_an_error_naming_the_other_half(reader, missing):
    with pytest.raises(EnsCredentialError) as caught:
        chain.credentials_from_options(reader, {})
    message = str(caught.value)
    assert ("but %s is not" % missing) in message
    assert "ALIBABA_CLOUD_ACCESS_KEY_SECRET" in message and "ALICLOUD_ACCESS_KEY" in message
    assert SECRET not in message


def test_nothing_found_lists_every_source_option_env_var_and_file(empty_home):
    with pytest.raises(EnsCredentialError) as caught:
        chain.credentials_from_options({}, {})
    message = str(caught.value)
    for name in ("access_key_id", "access_key_secret", "security_token", "profile", "config_file", "ecs_role_name",
                 "ALIBABA_CLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY",
                 "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALICLOUD_ACCESS_KEY_SECRET", "ALICLOUD_SECRET_KEY",
                 "ALIBABA_CLOUD_SECURITY_TOKEN", "ALICLOUD_SECURITY_TOKEN",
                 "ALIBABA_CLOUD_PROFILE", "ALICLOUD_PROFILE", "ALIBABA_CLOUD_CONFIG_FILE", "ALICLOUD_SHARED_CREDENTIALS_FILE",
                 "ALIBABA_CLOUD_ECS_METADATA", "ALICLOUD_ECS_ROLE_NAME",
                 str(empty_home / ".aliyun" / "config.json")):
        assert name in message


@pytest.mark.parametrize("mode, extra, token", [("AK", {}, None), ("StsToken", {"sts_token": TOKEN}, TOKEN)])
def test_default_config_file_current_profile(empty_home, mode, extra, token):
    (empty_home / ".aliyun").mkdir()
    profile = ak_profile("work", mode=mode, **extra)
    write_config(empty_home / ".aliyun", [ak_profile("default"), profile], current="work")
    assert chain.credentials_from_options({}, {}).get() == Credentials("LTAIwork", SECRET, token)


def test_profile_option_and_config_file_option(tmp_path):
    path = write_config(tmp_path, [ak_profile("default"), ak_profile("ci")], current="default", name="other.json")
    provider = chain.credentials_from_options({"config_file": path, "profile": "ci"}, {})
    assert provider.get().access_key_id == "LTAIci"


def test_keys_beat_profile(tmp_path):
    path = write_config(tmp_path, [ak_profile("default")])
    provider = chain.credentials_from_options({"config_file": path, "access_key_id": "LTAIopt", "access_key_secret": "s"}, {})
    assert provider.get().access_key_id == "LTAIopt"


def test_profile_beats_ecs_role(tmp_path):
    path = write_config(tmp_path, [ak_profile("default")])
    provider = chain.credentials_from_options({"config_file": path, "ecs_role_name": "role"}, {})
    assert provider.get().access_key_id == "LTAIdefault"


@pytest.mark.parametrize("reader_extra", [{"profile": "ci"}, {"config_file": "/nowhere/config.json"}])
def test_missing_config_file_asked_for_names_file_and_profile(empty_home, reader_extra):
    with pytest.raises(EnsCredentialError) as caught:
        chain.credentials_from_options(dict(reader_extra), {})
    message = str(caught.value)
    assert reader_extra.get("config_file", str(empty_home / ".aliyun" / "config.json")) in message
    assert repr(reader_extra.get("profile", "(current)")) in message
    assert "does not exist" in message


def test_config_file_not_json_names_the_file(tmp_path):
    path = tmp_path / "config.json"
    path.write_text('{"profiles": [')
    with pytest.raises(EnsCredentialError) as caught:
        chain.credentials_from_options({"config_file": str(path)}, {})
    assert str(caught.value).startswith("profile '(current)' in %s: the aliyun CLI config file is not valid JSON" % path)


def test_ecs_role_provider_is_lazy_and_points_at_the_metadata_endpoint():
    provider = chain.credentials_from_options({"ecs_role_name": "EnsReader", "ecs_metadata_endpoint": "127.0.0.1:9"}, {})
    assert isinstance(provider, chain.RefreshingCredentials)
    assert provider._fetch.metadata_url == "http://127.0.0.1:9"
    assert provider._fetch.role_name == "EnsReader"


def test_ecs_role_unreachable_metadata_is_a_credential_error():
    provider = chain.credentials_from_options({"ecs_role_name": "EnsReader", "ecs_metadata_endpoint": "127.0.0.1:9"}, {})
    with pytest.raises(EnsCredentialError, match=r"ECS RAM role 'EnsReader': PUT http://127\.0\.0\.1:9/latest/api/token failed"):
        provider.get()


def test_assume_role_wraps_the_base_provider_and_validates_duration_first():
    reader = {"access_key_id": "LTAIkey", "access_key_secret": "s", "assume_role_arn": "acs:ram::1:role/r",
              "sts_endpoint": "https://127.0.0.1:9"}
    provider = chain.credentials_from_options(reader, {"ca_path": "/ca.pem"})
    assert isinstance(provider, chain.RefreshingCredentials)
    assert provider._fetch.sts_url == "https://127.0.0.1:9"
    with pytest.raises(EnsOptionError):
        chain.credentials_from_options(dict(reader, assume_role_duration=600), {})


def test_closing_an_assume_role_provider_closes_its_sts_transport(monkeypatch):
    closed = []
    monkeypatch.setattr(chain.SignedTransport, "close", lambda transport: closed.append(transport.endpoint_url))
    reader = {"access_key_id": "LTAIkey", "access_key_secret": "s", "assume_role_arn": "acs:ram::1:role/r",
              "sts_endpoint": "https://127.0.0.1:9"}
    provider = chain.credentials_from_options(reader, {})
    provider.close()
    assert closed == ["https://127.0.0.1:9"]


def test_closing_a_refreshing_provider_without_connections_is_harmless():
    provider = chain.RefreshingCredentials(lambda: (Credentials("id", "secret"), None))
    provider.close()
    assert provider.get() == Credentials("id", "secret")


def test_ram_role_arn_profile_assumes_its_role(tmp_path):
    path = write_config(tmp_path, [ak_profile("default", mode="RamRoleArn", ram_role_arn="acs:ram::1:role/p")])
    provider = chain.credentials_from_options({"config_file": path}, {})
    assert isinstance(provider, chain.RefreshingCredentials)
    assert provider._fetch.settings.role_arn == "acs:ram::1:role/p"
    assert provider._fetch.sts_url == "https://sts.aliyuncs.com"


# --- region and identity --------------------------------------------------

def test_region_from_profile(tmp_path):
    path = write_config(tmp_path, [ak_profile("default", region_id="cn-hangzhou"), ak_profile("bare")])
    assert sources.region_from_profile({"config_file": path}) == "cn-hangzhou"
    assert sources.region_from_profile({"config_file": path, "profile": "bare"}) is None
    assert sources.region_from_profile({"config_file": path, "profile": "unknown"}) is None
    assert sources.region_from_profile({}) is None


def test_identity_names_the_source_without_secrets(tmp_path):
    path = write_config(tmp_path, [ak_profile("default"), ak_profile("ci")], current="ci")
    assert sources.identity({"access_key_id": "LTAIkey", "access_key_secret": SECRET}) == "key:LTAIkey"
    assert sources.identity({"config_file": path}) == "profile:%s#ci" % path
    assert sources.identity({"config_file": path, "profile": "default"}) == "profile:%s#default" % path
    assert sources.identity({"ecs_role_name": "EnsReader"}) == "ecs-role:EnsReader"
    assert sources.identity({"ecs_role_name": "r", "assume_role_arn": "acs:ram::1:role/x"}) == "ecs-role:r+role:acs:ram::1:role/x"
    assert sources.identity({}) == "none"


def test_identity_of_a_broken_profile_does_not_raise(tmp_path):
    path = tmp_path / "config.json"
    path.write_text("nope")
    assert sources.identity({"config_file": str(path), "profile": "p"}) == "profile:%s#p" % path
