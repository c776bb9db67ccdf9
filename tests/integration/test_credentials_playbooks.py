"""The credential chain through real ``ansible-playbook`` runs of both modules and the lookup.

Each source alone (with no keys in the play), the precedence between sources,
bad config files, and a ``-vvvv`` run searched for every secret and token
involved, including the temporary ones STS and the ECS metadata service issue.
"""

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
import yaml

IMAGE_INFO = "alicloud.ens.ens_image_info"
EXPORT_INFO = "alicloud.ens.ens_export_image_info"
LOOKUP = "alicloud.ens.ens_image"
GROUP = "group/alicloud.ens.ens"
ROLE_ARN = "acs:ram::1234567890123456:role/ens-image-reader"
ECS_ROLE = "EcsEnsReader"
LONG_TERM_TOKEN = "CAISlongTermTokenPlaybook0042"
EXTERNAL_ID = "externalIdNeverShown0042"
WRONG_KEY = {"access_key_id": "LTAIwrongKeyId", "access_key_secret": "wrongSecretNeverShown"}

pytestmark = pytest.mark.slow  # every test runs ansible-playbook


# --- building plays -------------------------------------------------------

def task(name, module, args=None, **keys):
    """A task registering ``r_<name>``; extra ``keys`` (``environment``, ``ignore_errors``, ...) as given."""
    entry = {"name": name, module: args or {}, "register": "r_" + name}
    entry.update(keys)
    return entry


def lookup_task(name, lookup_args="", **keys):
    """A ``set_fact`` of the lookup's newest image ID; registered like ``task`` (so a failed lookup is recorded)."""
    expression = "{{ lookup('%s', latest=true, cache=false%s) }}" % (LOOKUP, lookup_args)
    return task(name, "ansible.builtin.set_fact", {name: expression}, **keys)


def play(tasks, module_defaults=None, play_vars=None):
    """A localhost play that runs ``tasks`` and writes ``{name: registered result}`` to ``results_file``."""
    names = [entry["register"][len("r_"):] for entry in tasks]
    write = {"name": "Write results", "ansible.builtin.copy": {
        "content": "{{ {%s} | to_json }}" % ", ".join("'%s': r_%s" % (name, name) for name in names),
        "dest": "{{ results_file }}", "mode": "0600"}}
    entry = {"name": "Credentials", "hosts": "localhost", "gather_facts": False, "tasks": list(tasks) + [write]}
    if module_defaults:
        entry["module_defaults"] = {GROUP: module_defaults}
    if play_vars:
        entry["vars"] = play_vars
    return yaml.safe_dump([entry], sort_keys=False)


def every_consumer(lookup_args=""):
    """Both modules and the lookup, none with a credential option."""
    return [task("images", IMAGE_INFO, {"os_type": "linux"}), task("exports", EXPORT_INFO, {"page_size": 50}),
            lookup_task("lookup_id", ", os_type='linux'" + lookup_args)]


def tls_defaults(emulator):
    return {"ca_path": emulator.ca_path} if emulator.ca_path else {}


def tls_vars(emulator):
    return {"ens_ca_path": emulator.ca_path} if emulator.ca_path else {}


def endpoints_env(emulator):
    """Where ENS, STS and the metadata service are, as a user would point at them: the environment."""
    return {"ALIBABA_CLOUD_ENS_ENDPOINT": emulator.url, "ALIBABA_CLOUD_STS_ENDPOINT": emulator.url,
            "ALIBABA_CLOUD_ECS_METADATA_ENDPOINT": emulator.url}


def write_config(path, profiles, current):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"current": current, "profiles": profiles}))
    return str(path)


def ak_profile(name, keys, mode="AK", **extra):
    profile = {"name": name, "mode": mode, "access_key_id": keys["access_key_id"],
               "access_key_secret": keys["access_key_secret"]}
    profile.update(extra)
    return profile


def keys_of(emulator):
    return {"access_key_id": emulator.access_key_id, "access_key_secret": emulator.access_key_secret}


def requests_of(emulator, action):
    return emulator.stats()["requests"].get(action, 0)


def assert_every_consumer_worked(run):
    images = run.results["images"]["images"]
    assert images and run.results["images"]["failed"] is False
    assert run.results["exports"]["total_count"] > 0
    assert run.results["lookup_id"]["ansible_facts"]["lookup_id"] == images[-1]["image_id"]


# --- each source alone, no keys in the play -------------------------------

def home_config(ansible_runner):
    return ansible_runner.home / ".aliyun" / "config.json"


@pytest.mark.parametrize("mode", ["AK", "StsToken", "RamRoleArn", "EcsRamRole"])
def test_only_a_default_config_file(mode, start_emulator, ansible_runner, run_playbook):
    flags = {"StsToken": ("--security-token", LONG_TERM_TOKEN), "EcsRamRole": ("--ecs-role", ECS_ROLE)}.get(mode, ())
    emulator = start_emulator(*flags)
    profile = {
        "AK": lambda: ak_profile("mine", keys_of(emulator)),
        "StsToken": lambda: ak_profile("mine", keys_of(emulator), "StsToken", sts_token=LONG_TERM_TOKEN),
        "RamRoleArn": lambda: ak_profile("mine", keys_of(emulator), "RamRoleArn", ram_role_arn=ROLE_ARN),
        "EcsRamRole": lambda: {"name": "mine", "mode": "EcsRamRole", "ram_role_name": ECS_ROLE},
    }[mode]()
    write_config(home_config(ansible_runner), [ak_profile("default", WRONG_KEY), profile], current="mine")

    run = run_playbook(play(every_consumer(), tls_defaults(emulator), tls_vars(emulator)), env=endpoints_env(emulator))

    assert_every_consumer_worked(run)
    if mode == "RamRoleArn":
        assert requests_of(emulator, "AssumeRole") == 3  # one per module process, one for the lookup
    if mode == "EcsRamRole":
        assert requests_of(emulator, "EcsMetadataCredentials") == 3


def test_only_an_ecs_role(start_emulator, run_playbook):
    emulator = start_emulator("--ecs-role", ECS_ROLE)
    env = dict(endpoints_env(emulator), ALIBABA_CLOUD_ECS_METADATA=ECS_ROLE)

    run = run_playbook(play(every_consumer(), tls_defaults(emulator), tls_vars(emulator)), env=env)

    assert_every_consumer_worked(run)
    assert requests_of(emulator, "EcsMetadataToken") == 3
    assert requests_of(emulator, "EcsMetadataCredentials") == 3


def test_keys_plus_assume_role_arn(start_emulator, run_playbook):
    emulator = start_emulator()
    env = dict(endpoints_env(emulator), ALIBABA_CLOUD_ACCESS_KEY_ID=emulator.access_key_id,
               ALIBABA_CLOUD_ACCESS_KEY_SECRET=emulator.access_key_secret, ALIBABA_CLOUD_ROLE_ARN=ROLE_ARN,
               ALIBABA_CLOUD_ROLE_SESSION_NAME="nightly-build")

    run = run_playbook(play(every_consumer(), tls_defaults(emulator), tls_vars(emulator)), env=env)

    assert_every_consumer_worked(run)
    assert requests_of(emulator, "AssumeRole") == 3


# --- precedence -----------------------------------------------------------

def env_keys(keys, prefix="ALIBABA_CLOUD_"):
    if prefix == "ALICLOUD_":
        return {"ALICLOUD_ACCESS_KEY": keys["access_key_id"], "ALICLOUD_SECRET_KEY": keys["access_key_secret"]}
    return {prefix + "ACCESS_KEY_ID": keys["access_key_id"], prefix + "ACCESS_KEY_SECRET": keys["access_key_secret"]}


def test_module_precedence_option_then_environment_then_profile(ens_emulator, ansible_runner, tmp_path, run_playbook):
    right = keys_of(ens_emulator)
    write_config(home_config(ansible_runner), [ak_profile("default", WRONG_KEY)], current="default")
    right_file = write_config(tmp_path / "right.json", [ak_profile("right", right), ak_profile("wrong", WRONG_KEY)],
                              current="right")
    tasks = [
        task("option_beats_env", IMAGE_INFO, dict(right), environment=env_keys(WRONG_KEY)),
        task("option_used_not_env", IMAGE_INFO, dict(WRONG_KEY), environment=env_keys(right), ignore_errors=True),
        task("env_alone", IMAGE_INFO, environment=env_keys(right)),
        task("env_used_not_profile", IMAGE_INFO, ignore_errors=True,
             environment=dict(env_keys(WRONG_KEY), ALIBABA_CLOUD_CONFIG_FILE=right_file)),
        task("profile_alone", IMAGE_INFO, environment={"ALIBABA_CLOUD_CONFIG_FILE": right_file}),
        task("alibaba_cloud_env_beats_alicloud_env", IMAGE_INFO,
             environment=dict(env_keys(right), **env_keys(WRONG_KEY, "ALICLOUD_"))),
        task("alicloud_env_alone", IMAGE_INFO, environment=env_keys(right, "ALICLOUD_")),
        task("profile_option_beats_profile_env", IMAGE_INFO, {"config_file": right_file, "profile": "right"},
             environment={"ALIBABA_CLOUD_PROFILE": "wrong"}),
        task("home_profile_alone", IMAGE_INFO, ignore_errors=True),
    ]

    run = run_playbook(play(tasks, dict(tls_defaults(ens_emulator), endpoint=ens_emulator.url)))

    results = run.results
    for name in ("option_beats_env", "env_alone", "profile_alone", "alibaba_cloud_env_beats_alicloud_env",
                 "alicloud_env_alone", "profile_option_beats_profile_env"):
        assert results[name]["images"], name
    for name in ("option_used_not_env", "env_used_not_profile", "home_profile_alone"):
        assert results[name]["failed"] is True, name
        assert results[name]["code"] == "InvalidAccessKeyId.NotFound", name


def test_lookup_precedence_option_then_environment_then_profile(ens_emulator, ansible_runner, run_playbook):
    right = keys_of(ens_emulator)
    write_config(home_config(ansible_runner), [ak_profile("default", right)], current="default")
    tasks = [
        task("reference", IMAGE_INFO, dict(right, os_type="linux", endpoint=ens_emulator.url, **tls_defaults(ens_emulator))),
        lookup_task("option_beats_env", ", os_type='linux', access_key_id=%r, access_key_secret=%r"
                    % (right["access_key_id"], right["access_key_secret"])),
        lookup_task("env_beats_profile", ", os_type='linux'", ignore_errors=True),
    ]
    play_vars = dict(tls_vars(ens_emulator), ens_endpoint=ens_emulator.url)

    run = run_playbook(play(tasks, play_vars=play_vars), env=env_keys(WRONG_KEY))

    newest = run.results["reference"]["images"][-1]["image_id"]
    assert run.results["option_beats_env"]["ansible_facts"]["option_beats_env"] == newest
    assert run.results["env_beats_profile"]["failed"] is True
    assert "InvalidAccessKeyId.NotFound" in run.results["env_beats_profile"]["msg"]
    assert WRONG_KEY["access_key_secret"] not in run.output


# --- bad configuration ----------------------------------------------------

def test_bad_config_files_fail_naming_file_and_profile(start_emulator, tmp_path, run_playbook):
    emulator = start_emulator()
    good = ak_profile("ok", keys_of(emulator))
    not_json = tmp_path / "not-json.json"
    not_json.write_text('{"profiles": [')
    files = {
        "unknown": write_config(tmp_path / "unknown.json", [good], current="ok"),
        "sso": write_config(tmp_path / "sso.json", [{"name": "sso", "mode": "CloudSSO"}], current="sso"),
        "fields": write_config(tmp_path / "fields.json", [{"name": "half", "mode": "AK", "access_key_id": "LTAIhalf"}],
                               current="half"),
    }
    missing = str(tmp_path / "absent" / "config.json")
    cases = {
        "missing": ({"config_file": missing, "profile": "ops"}, [missing, "'ops'", "does not exist"]),
        "not_json": ({"config_file": str(not_json), "profile": "ops"}, [str(not_json), "'ops'", "not valid JSON"]),
        "unknown_profile": ({"config_file": files["unknown"], "profile": "prod"}, [files["unknown"], "'prod'", "not found", "ok"]),
        "unsupported_mode": ({"config_file": files["sso"]}, [files["sso"], "'sso'", "CloudSSO"]),
        "missing_fields": ({"config_file": files["fields"]}, [files["fields"], "'half'", "missing access_key_secret"]),
        "short_duration": ({"config_file": files["unknown"], "profile": "ok", "assume_role_arn": ROLE_ARN,
                            "assume_role_duration": 600}, ["assume_role_duration: must be at least 900"]),
    }
    tasks = [task(name, IMAGE_INFO, args, ignore_errors=True) for name, (args, _expected) in cases.items()]
    tasks.append(lookup_task("lookup_not_json", ", config_file=%r, profile='ops'" % str(not_json), ignore_errors=True))

    run = run_playbook(play(tasks, dict(tls_defaults(emulator), endpoint=emulator.url)))

    for name, (_args, expected) in cases.items():
        assert run.results[name]["failed"] is True, name
        for text in expected:
            assert text in run.results[name]["msg"], (name, text, run.results[name]["msg"])
    assert run.results["lookup_not_json"]["failed"] is True
    assert "profile 'ops' in %s: the aliyun CLI config file is not valid JSON" % not_json in run.results["lookup_not_json"]["msg"]
    assert "DescribeImageInfos" not in emulator.stats()["requests"]


def test_no_credentials_anywhere_lists_every_source(ens_emulator, ansible_runner, run_playbook):
    run = run_playbook(play([task("nothing", IMAGE_INFO, ignore_errors=True)],
                            dict(tls_defaults(ens_emulator), endpoint=ens_emulator.url)))
    message = run.results["nothing"]["msg"]
    assert message.startswith("No Alibaba Cloud credentials found.")
    for name in ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY", "ALIBABA_CLOUD_PROFILE", "ALIBABA_CLOUD_CONFIG_FILE",
                 "ALIBABA_CLOUD_ECS_METADATA", "ALICLOUD_ECS_ROLE_NAME", str(home_config(ansible_runner))):
        assert name in message


# --- no secret or token in any output at -vvvv -----------------------------

class RecordingProxy:
    """A plain-HTTP server on loopback that forwards every request to ``upstream`` and keeps each answer.

    STS and the metadata service are reached through it, so the test learns the
    exact temporary secrets and tokens they issued to the Ansible processes.
    """

    def __init__(self, upstream, ca_path):
        self.answers = []
        proxy = self

        class Forward(BaseHTTPRequestHandler):
            def forward(self):
                length = int(self.headers.get("Content-Length") or 0)
                headers = dict((name, value) for name, value in self.headers.items()
                               if name.lower() not in ("host", "content-length", "connection"))
                answer = requests.request(self.command, upstream + self.path, headers=headers,
                                          data=self.rfile.read(length), verify=ca_path or True, timeout=30)
                proxy.answers.append((self.command, self.path, answer.text))
                self.send_response(answer.status_code)
                self.send_header("Content-Type", answer.headers.get("Content-Type", "text/plain"))
                self.send_header("Content-Length", str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)

            do_GET = do_PUT = do_POST = forward

            def log_message(self, *args):  # pylint: disable=arguments-differ
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Forward)
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def issued(self):
        """Every temporary secret, security token and metadata session token the upstream answered with."""
        values = []
        for method, path, text in self.answers:
            if method == "PUT" and path == "/latest/api/token":
                values.append(text)
                continue
            try:
                body = json.loads(text)
            except ValueError:
                continue
            fields = body.get("Credentials", body) if isinstance(body, dict) else {}
            values.extend(fields[name] for name in ("AccessKeySecret", "SecurityToken") if fields.get(name))
        return values

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def recording_proxy():
    proxies = []

    def start(upstream, ca_path):
        proxy = RecordingProxy(upstream, ca_path)
        proxies.append(proxy)
        return proxy

    yield start
    for proxy in proxies:
        proxy.stop()


# Shapes of what the emulator issues: CAIS tokens, 44-character secrets, 43-character metadata tokens.
ISSUED_SHAPES = re.compile(r"CAIS[A-Za-z0-9+/]{16,}|(?<![A-Za-z0-9])[A-Za-z0-9]{44}(?![A-Za-z0-9])")


def test_no_secret_or_token_in_vvvv_output(start_emulator, recording_proxy, ansible_runner, tmp_path, run_playbook):
    emulator = start_emulator("--security-token", LONG_TERM_TOKEN, "--ecs-role", ECS_ROLE)
    proxy = recording_proxy(emulator.url, emulator.ca_path)
    keys = dict(keys_of(emulator), security_token=LONG_TERM_TOKEN)
    sts_profile_file = write_config(tmp_path / "profiles.json", [
        ak_profile("sts", keys, "StsToken", sts_token=LONG_TERM_TOKEN),
        {"name": "ecs", "mode": "EcsRamRole", "ram_role_name": ECS_ROLE},
    ], current="sts")
    assume = {"assume_role_arn": ROLE_ARN, "assume_role_external_id": EXTERNAL_ID, "sts_endpoint": proxy.url}
    tasks = [
        task("keys", IMAGE_INFO, dict(keys)),
        task("keys_assume_role", IMAGE_INFO, dict(keys, **assume)),
        task("ecs_role_assume_role", EXPORT_INFO, dict(assume, ecs_role_name=ECS_ROLE, ecs_metadata_endpoint=proxy.url)),
        task("profile_sts_token", IMAGE_INFO, {"config_file": sts_profile_file}),
        task("profile_ecs_role", IMAGE_INFO, {"config_file": sts_profile_file, "profile": "ecs",
                                              "ecs_metadata_endpoint": proxy.url}),
        task("wrong_secret", IMAGE_INFO, dict(keys, access_key_secret=WRONG_KEY["access_key_secret"]), ignore_errors=True),
        task("wrong_secret_assume_role", IMAGE_INFO, dict(keys, access_key_secret=WRONG_KEY["access_key_secret"], **assume),
             ignore_errors=True),
        lookup_task("lookup_assume_role", ", access_key_id=%r, access_key_secret=%r, security_token=%r, "
                    "assume_role_arn=%r, assume_role_external_id=%r, sts_endpoint=%r"
                    % (keys["access_key_id"], keys["access_key_secret"], LONG_TERM_TOKEN, ROLE_ARN, EXTERNAL_ID, proxy.url)),
    ]
    play_vars = dict(tls_vars(emulator), ens_endpoint=emulator.url)

    run = run_playbook(play(tasks, dict(tls_defaults(emulator), endpoint=emulator.url), play_vars), extra_args=("-vvvv",))

    for name in ("keys", "keys_assume_role", "profile_sts_token", "profile_ecs_role"):
        assert run.results[name]["images"], name
    assert run.results["ecs_role_assume_role"]["total_count"] > 0
    assert run.results["wrong_secret"]["code"] == "SignatureDoesNotMatch"
    assert "SignatureDoesNotMatch" in run.results["wrong_secret_assume_role"]["msg"]
    issued = proxy.issued()
    # 3 successful AssumeRole calls (secret + token each); 2 metadata fetches (session token, secret, token each).
    assert len(issued) == 3 * 2 + 2 * 3
    secrets = [emulator.access_key_secret, LONG_TERM_TOKEN, WRONG_KEY["access_key_secret"], EXTERNAL_ID] + issued
    output = run.output
    assert "ESTABLISH LOCAL CONNECTION" in output and "AnsiballZ_ens_image_info.py" in output  # really -vvvv
    leaked = [index for index, secret in enumerate(secrets) if secret in output]
    assert leaked == [], "secrets #%s appear in the output" % leaked
    assert ISSUED_SHAPES.findall(output) == []
