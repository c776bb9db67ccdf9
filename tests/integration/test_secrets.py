"""No secret and no token in anything Ansible prints at -vvvv, whether the task succeeds or fails.

Each run's whole output (stdout and stderr) is searched for every secret value in
the forms it could leak in: as is, percent-encoded (a query string) and
JSON-escaped. Every run is also checked to have done what it should, so a run
that printed nothing cannot pass.
"""

import json
from urllib.parse import quote

import pytest
import yaml

SECRET = "S3cr3t/ValueOf+The=Emulator"
TOKEN = "T0ken/ValueOf+The=STS"
WRONG_SECRET = "Wr0ng/Secret+Value=Typed"
WRONG_TOKEN = "Wr0ng/Token+Value=Typed"
ALL_SECRETS = (SECRET, TOKEN, WRONG_SECRET, WRONG_TOKEN)
VERBOSE = ["-vvvv"]
MODULES = ("alicloud.ens.ens_image_info", "alicloud.ens.ens_export_image_info")


def leaked_forms(value):
    return {value, quote(value, safe=""), quote(value, safe="/"), json.dumps(value)[1:-1]}


def assert_no_secret(run):
    output = run.output
    assert len(output) > 1000, "a -vvvv run prints plenty; this one printed almost nothing"
    for secret in ALL_SECRETS:
        for form in leaked_forms(secret):
            assert form not in output, "a secret (%s...) appears in the output of %s" % (form[:4], " ".join(run.command))


@pytest.fixture
def emulator(start_emulator):
    return start_emulator("--access-key-secret", SECRET, "--security-token", TOKEN)


def connection(emulator, signature, **overrides):
    args = emulator.module_args(signature)
    assert args["access_key_secret"] == SECRET and args["security_token"] == TOKEN
    args.update(overrides)
    return args


def play(tasks, write_results=True):
    body = [dict(task, register="r%d" % index) for index, task in enumerate(tasks)]
    if write_results:
        content = "{{ [%s] | to_json }}" % ", ".join("r%d" % index for index in range(len(tasks)))
        body.append({"ansible.builtin.copy": {"content": content, "dest": "{{ results_file }}", "mode": "0600"}})
    return yaml.safe_dump([{"hosts": "localhost", "gather_facts": False, "tasks": body}])


@pytest.mark.parametrize("signature", ["v3", "v1"])
def test_successful_playbook_at_vvvv(emulator, run_playbook, signature):
    tasks = [{module: connection(emulator, signature)} for module in MODULES]
    run = run_playbook(play(tasks), extra_args=VERBOSE)
    assert [len(result["images"]) > 0 for result in run.results] == [True, True]
    assert_no_secret(run)


@pytest.mark.parametrize("signature", ["v3", "v1"])
def test_failing_playbook_at_vvvv(emulator, run_playbook, signature):
    tasks = [
        {MODULES[0]: connection(emulator, signature, access_key_secret=WRONG_SECRET), "ignore_errors": True},
        {MODULES[1]: connection(emulator, signature, security_token=WRONG_TOKEN), "ignore_errors": True},
        {MODULES[0]: connection(emulator, signature, access_key_secret=WRONG_SECRET, security_token=WRONG_TOKEN)},
    ]
    run = run_playbook(play(tasks, write_results=False), extra_args=VERBOSE, expect_rc=2)
    assert "SignatureDoesNotMatch" in run.stdout
    assert "InvalidSecurityToken.Mismatch" in run.stdout
    assert_no_secret(run)


def test_adhoc_success_and_failure_at_vvvv(emulator, run_adhoc):
    succeeded = run_adhoc(MODULES[0], connection(emulator, "v1"), extra_args=VERBOSE)
    assert succeeded.result["images"]
    assert_no_secret(succeeded)
    failed = run_adhoc(MODULES[1], connection(emulator, "v1", access_key_secret=WRONG_SECRET), extra_args=VERBOSE, expect_rc=2)
    assert failed.result["code"] == "SignatureDoesNotMatch"
    assert_no_secret(failed)


def test_secrets_from_the_environment_at_vvvv(emulator, run_adhoc):
    args = {"ca_path": emulator.ca_path}
    succeeded = run_adhoc(MODULES[1], args, env=emulator.env("v3"), extra_args=VERBOSE)
    assert succeeded.result["images"]
    assert_no_secret(succeeded)
    wrong_env = dict(emulator.env("v1"), ALIBABA_CLOUD_SECURITY_TOKEN=WRONG_TOKEN, ALIBABA_CLOUD_ACCESS_KEY_SECRET=WRONG_SECRET)
    failed = run_adhoc(MODULES[0], args, env=wrong_env, extra_args=VERBOSE, expect_rc=2)
    assert failed.result["code"] == "InvalidSecurityToken.Mismatch"
    assert_no_secret(failed)


def test_the_search_finds_a_secret_that_is_printed(run_playbook):
    """The detector itself: a play that does print a secret (percent-encoded) must be caught."""
    run = run_playbook(play([{"ansible.builtin.debug": {"msg": quote(TOKEN, safe="")}}]), extra_args=VERBOSE)
    with pytest.raises(AssertionError):
        assert_no_secret(run)
