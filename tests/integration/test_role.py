"""The select_image role through real ansible-playbook runs against the emulator over HTTPS.

Expected answers come from the emulator's catalogue with a plain ordering key
(numeric version, build date in the ID, ID), not from the collection's code.
"""

import json
import re

from tests.emulator import catalogue

BUILD_DATE = re.compile(r"_((?:19|20)\d{6})(?!\d)")


def newest(images):
    def key(image):
        dates = BUILD_DATE.findall(image["ImageId"])
        return (tuple(int(part) for part in image["ImageVersion"].split(".")), dates[-1] if dates else "", image["ImageId"])
    return max(images, key=key)


def host_inventory(count):
    return "[nodes]\nnode[01:%02d]\n\n[nodes:vars]\nansible_connection=local\n" % count


def role_play(role_vars, module_defaults=None):
    """A play over ``nodes`` that runs the role, then writes every host's two facts, by host."""
    defaults = {"group/alicloud.ens.ens": module_defaults} if module_defaults else {}
    return """
- name: Choose the image for every node
  hosts: nodes
  gather_facts: false
  module_defaults: %s
  roles:
    - role: alicloud.ens.select_image
      vars: %s
  tasks:
    - name: Write every host's facts
      ansible.builtin.copy:
        content: >-
          {{ dict(ansible_play_hosts | zip(ansible_play_hosts | map('extract', hostvars, 'select_image_id')
             | zip(ansible_play_hosts | map('extract', hostvars, 'select_image')))) | to_json }}
        dest: "{{ results_file }}"
        mode: "0600"
      delegate_to: localhost
      run_once: true
""" % (json.dumps(defaults), json.dumps(role_vars))


def describe_image_infos_calls(emulator):
    return emulator.stats()["requests"].get("DescribeImageInfos", 0)


def test_the_role_sets_both_facts_on_every_host_with_one_api_call(ens_emulator, run_playbook):
    wanted = [image for image in catalogue.all_images()
              if image["OSName"] == "ubuntu" and image["ComputeType"] == "ens_vm" and image["ImageVersion"].startswith("22.")]
    expected = newest(wanted)
    role_vars = {"select_image_os_name": "ubuntu", "select_image_image_version": ">=22,<23", "select_image_compute_type": "ens_vm"}
    ens_emulator.reset_stats()

    run = run_playbook(role_play(role_vars, {"ca_path": ens_emulator.ca_path}), env=ens_emulator.env(),
                       inventory=host_inventory(12), extra_args=("--forks", "6"))

    assert len(run.results) == 12
    for image_id, image in run.results.values():
        assert image_id == expected["ImageId"]
        assert image["image_id"] == expected["ImageId"]
        assert image["image_version"] == expected["ImageVersion"]
        assert image["compute_type"] == "ens_vm"
    assert describe_image_infos_calls(ens_emulator) == 1


def test_the_role_takes_its_connection_from_role_variables(ens_emulator, run_playbook):
    expected = newest([image for image in catalogue.all_images() if image["OSType"] == "windows"])
    role_vars = {"select_image_os_type": "windows", "select_image_endpoint": ens_emulator.url,
                 "select_image_ca_path": ens_emulator.ca_path}
    env = dict(ens_emulator.env(), ALIBABA_CLOUD_ENS_ENDPOINT="https://127.0.0.1:1")  # the role variable must win

    run = run_playbook(role_play(role_vars), env=env, inventory=host_inventory(2))

    assert [image_id for image_id, _image in run.results.values()] == [expected["ImageId"]] * 2


def test_the_role_fails_naming_the_filters_when_nothing_matches(ens_emulator, run_playbook):
    role_vars = {"select_image_os_name": "plan9", "select_image_image_version": ">=9"}

    run = run_playbook(role_play(role_vars, {"ca_path": ens_emulator.ca_path}), env=ens_emulator.env(),
                       inventory=host_inventory(3), expect_rc=2)

    assert "No ENS image matches os_name=plan9, image_version=>=9" in run.output
    assert run.results is None  # the play stopped before writing any facts


def test_the_role_rejects_a_bad_variable_before_calling_the_api(ens_emulator, run_playbook):
    ens_emulator.reset_stats()

    run = run_playbook(role_play({"select_image_os_type": "plan9"}, {"ca_path": ens_emulator.ca_path}),
                       env=ens_emulator.env(), inventory=host_inventory(1), expect_rc=2)

    assert "select_image_os_type" in run.output
    assert describe_image_infos_calls(ens_emulator) == 0
