"""The Ansible fixtures themselves: build + install, playbook results, ad-hoc parsing, a clean environment."""

import json
from pathlib import Path

from tests.fixtures.ansible import parse_adhoc_result

WRITE_RESULTS_PLAY = """
- hosts: localhost
  gather_facts: false
  tasks:
    - ansible.builtin.set_fact:
        answer: {"value": 42, "home": "{{ lookup('ansible.builtin.env', 'HOME') }}"}
    - ansible.builtin.copy:
        content: "{{ answer | to_json }}"
        dest: "{{ results_file }}"
        mode: "0600"
"""


def test_installed_collection_is_the_working_tree(installed_collection):
    installed = Path(installed_collection) / "ansible_collections" / "alicloud" / "ens"
    manifest = json.loads((installed / "MANIFEST.json").read_text())
    assert manifest["collection_info"]["namespace"] == "alicloud"
    assert manifest["collection_info"]["name"] == "ens"
    assert (installed / "plugins" / "module_utils" / "options.py").is_file()


def test_playbook_results_come_from_the_results_file(run_playbook, tmp_path):
    run = run_playbook(WRITE_RESULTS_PLAY)
    assert run.rc == 0
    assert run.results["value"] == 42
    assert run.results["home"].startswith(str(tmp_path))


def test_failing_playbook_with_expect_rc(run_playbook):
    run = run_playbook("- hosts: localhost\n  gather_facts: false\n  tasks:\n    - ansible.builtin.fail:\n        msg: planned\n",
                       expect_rc=2)
    assert "planned" in run.stdout
    assert run.results is None


def test_inventory_text_and_extra_args(run_playbook):
    inventory = "[fleet]\n" + "".join("host%d\n" % number for number in range(3))
    play = WRITE_RESULTS_PLAY.replace("hosts: localhost", "hosts: fleet").replace(
        '"value": 42', '"value": "{{ groups.fleet | length }}-{{ greeting }}"')
    run = run_playbook(play, inventory=inventory, extra_args=["-e", "greeting=hi", "-f", "3"])
    assert run.results["value"] == "3-hi"


def test_adhoc_success_result(run_adhoc):
    run = run_adhoc("ansible.builtin.ping", "data=pong-test")
    assert run.status == "SUCCESS"
    assert run.result["ping"] == "pong-test"
    assert not run.failed


def test_adhoc_dict_args_and_failure(run_adhoc):
    run = run_adhoc("ansible.builtin.fail", {"msg": "planned failure"}, expect_rc=2)
    assert run.status == "FAILED!"
    assert run.result["msg"] == "planned failure"
    assert run.failed


def test_caller_credentials_are_stripped_unless_passed(run_adhoc, monkeypatch):
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "leaked-from-caller")
    monkeypatch.setenv("ALICLOUD_REGION", "leaked-region")
    args = "msg={{ lookup('ansible.builtin.env', 'ALIBABA_CLOUD_ACCESS_KEY_ID') }}/{{ lookup('ansible.builtin.env', 'ALICLOUD_REGION') }}"
    assert run_adhoc("ansible.builtin.debug", args).result["msg"] == "/"
    passed = run_adhoc("ansible.builtin.debug", args, env={"ALIBABA_CLOUD_ACCESS_KEY_ID": "passed"})
    assert passed.result["msg"] == "passed/"


def test_parse_adhoc_result_takes_the_last_block_after_verbose_noise():
    stdout = ('<127.0.0.1> EXEC /bin/sh -c "echo"\nlocalhost | FAILED! => {\n    "msg": "first"\n}\n'
              'noise {not json}\nlocalhost | SUCCESS => {\n    "changed": false,\n    "nested": {"a": [1]}\n}\ntrailer\n')
    assert parse_adhoc_result(stdout) == ("SUCCESS", {"changed": False, "nested": {"a": [1]}})
    assert parse_adhoc_result("nothing here") == (None, None)
