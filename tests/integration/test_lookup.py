"""The ens_image lookup through real ansible-playbook runs against the emulator over HTTPS.

Expected answers come from the emulator's catalogue, not from the collection's
own selection code: the newest image is computed here with a plain key
(numeric version, build date in the ID, ID).
"""

import json
import re

import pytest

from tests.emulator import catalogue

LOOKUP = "alicloud.ens.ens_image"
BUILD_DATE = re.compile(r"_((?:19|20)\d{6})(?!\d)")


# --- expected answers from the catalogue ------------------------------------------


def catalogue_images(**wanted):
    """Catalogue images whose raw fields equal ``wanted`` (e.g. ``OSName='debian'``)."""
    return [image for image in catalogue.all_images() if all(image[field] == value for field, value in wanted.items())]


def newest_first_key(image):
    dates = BUILD_DATE.findall(image["ImageId"])
    return (tuple(int(part) for part in image["ImageVersion"].split(".")), dates[-1] if dates else "", image["ImageId"])


def ids_oldest_to_newest(images):
    return [image["ImageId"] for image in sorted(images, key=newest_first_key)]


def export_ids_oldest_to_newest(records):
    return [record["ImageId"] for record in sorted(records, key=lambda record: (record["CreationTime"], record["ImageId"]))]


# --- playbooks ------------------------------------------------------------------


def host_inventory(count):
    return "[nodes]\nnode[001:%03d]\n\n[nodes:vars]\nansible_connection=local\n" % count


def connection_vars(emulator):
    """Play variables ``ens_<option>`` that point the lookup at ``emulator``."""
    return {
        "ens_endpoint": emulator.url,
        "ens_access_key_id": emulator.access_key_id,
        "ens_access_key_secret": emulator.access_key_secret,
        "ens_ca_path": emulator.ca_path,
    }


def every_host_play(lookup_expression, hosts_vars):
    """A play over ``nodes`` whose vars hold the lookup; every host sets a fact from it; results by host."""
    return """
- name: Every host uses an image chosen in play vars
  hosts: nodes
  gather_facts: false
  vars: %s
  tasks:
    - name: Each host templates the image variable
      ansible.builtin.set_fact:
        image_of_host: "{{ chosen_image }}"

    - name: Write every host's image
      ansible.builtin.copy:
        content: "{{ dict(ansible_play_hosts | zip(ansible_play_hosts | map('extract', hostvars, 'image_of_host'))) | to_json }}"
        dest: "{{ results_file }}"
        mode: "0600"
      delegate_to: localhost
      run_once: true
""" % json.dumps(dict(hosts_vars, chosen_image=lookup_expression))


def localhost_play(expressions, play_vars):
    """A localhost play that writes ``{name: value of expression}``."""
    facts = "\n".join("        %s: %s" % (name, json.dumps(expression)) for name, expression in expressions.items())
    return """
- name: Lookups on localhost
  hosts: localhost
  gather_facts: false
  vars: %s
  tasks:
    - name: Evaluate the lookups
      ansible.builtin.set_fact:
%s

    - name: Write the answers
      ansible.builtin.copy:
        content: %s
        dest: "{{ results_file }}"
        mode: "0600"
""" % (json.dumps(play_vars), facts, json.dumps("{{ {%s} | to_json }}" % ", ".join("'%s': %s" % (name, name) for name in expressions)))


def requests_of(emulator, action):
    return emulator.stats()["requests"].get(action, 0)


# --- one run, one call ------------------------------------------------------------


@pytest.mark.slow
def test_lookup_in_play_vars_over_200_hosts_and_20_forks_makes_one_api_call(ens_emulator, run_playbook):
    expected = ids_oldest_to_newest(catalogue_images(OSName="debian"))[-1]
    lookup = "{{ lookup('%s', os_name='debian', latest=true) }}" % LOOKUP
    ens_emulator.reset_stats()

    run = run_playbook(every_host_play(lookup, connection_vars(ens_emulator)), inventory=host_inventory(200),
                       extra_args=("--forks", "20"))

    assert len(run.results) == 200
    assert set(run.results.values()) == {expected}
    assert requests_of(ens_emulator, "DescribeImageInfos") == 1


def test_each_question_over_many_hosts_gets_its_own_answer_from_one_api_call(ens_emulator, run_playbook):
    debian = ids_oldest_to_newest(catalogue_images(OSName="debian"))
    ubuntu = ids_oldest_to_newest(catalogue_images(OSName="ubuntu"))
    lookups = ("{{ lookup('%s', os_name='debian', latest=true) }} {{ lookup('%s', os_name='ubuntu', latest=true) }} "
               "{{ query('%s', os_name='debian') | join(',') }}" % (LOOKUP, LOOKUP, LOOKUP))
    ens_emulator.reset_stats()

    run = run_playbook(every_host_play(lookups, connection_vars(ens_emulator)), inventory=host_inventory(12),
                       extra_args=("--forks", "6"))

    assert len(run.results) == 12
    assert set(run.results.values()) == {"%s %s %s" % (debian[-1], ubuntu[-1], ",".join(debian))}
    assert requests_of(ens_emulator, "DescribeImageInfos") == 1


def test_cache_false_calls_the_api_for_every_evaluation(ens_emulator, run_playbook):
    lookup = "{{ lookup('%s', os_name='debian', latest=true, cache=false) }}" % LOOKUP
    ens_emulator.reset_stats()

    run = run_playbook(every_host_play(lookup, connection_vars(ens_emulator)), inventory=host_inventory(5),
                       extra_args=("--forks", "5"))

    assert len(run.results) == 5
    assert requests_of(ens_emulator, "DescribeImageInfos") >= 5


def test_different_filters_over_one_api_call_share_the_cache(ens_emulator, run_playbook):
    expressions = {
        "debian": "{{ lookup('%s', os_name='debian', latest=true) }}" % LOOKUP,
        "ubuntu": "{{ lookup('%s', os_name='ubuntu', latest=true) }}" % LOOKUP,
        "centos": "{{ query('%s', os_name='centos') }}" % LOOKUP,
        "windows_only": "{{ query('%s', os_type='windows') }}" % LOOKUP,
    }
    ens_emulator.reset_stats()

    run = run_playbook(localhost_play(expressions, connection_vars(ens_emulator)))

    assert run.results["debian"] == ids_oldest_to_newest(catalogue_images(OSName="debian"))[-1]
    assert run.results["ubuntu"] == ids_oldest_to_newest(catalogue_images(OSName="ubuntu"))[-1]
    assert run.results["centos"] == ids_oldest_to_newest(catalogue_images(OSName="centos"))
    assert run.results["windows_only"] == ids_oldest_to_newest(catalogue_images(OSType="windows"))
    # os_type is an API parameter (a second question); os_name filters on the controller (the same answer)
    assert requests_of(ens_emulator, "DescribeImageInfos") == 2


# --- what the lookup returns ------------------------------------------------------------


def test_lookup_query_details_terms_and_filters(ens_emulator, run_playbook):
    expressions = {
        "latest_debian": "{{ lookup('%s', os_name='debian', latest=true) }}" % LOOKUP,
        "latest_debian_wantlist": "{{ lookup('%s', os_name='debian', latest=true, wantlist=true) }}" % LOOKUP,
        "ubuntu_ids": "{{ query('%s', os_name='ubuntu') }}" % LOOKUP,
        "ubuntu_22_ens_vm": "{{ query('%s', os_name='ubuntu', image_version='>=22,<23', compute_type='ens_vm') }}" % LOOKUP,
        "details": "{{ query('%s', os_name='debian', latest=true, details=true) }}" % LOOKUP,
        "terms": "{{ query('%s', 'ubuntu_22', '^debian_12') }}" % LOOKUP,
        "own_images": "{{ query('%s', owner_alias='self') }}" % LOOKUP,
        "no_match": "{{ query('%s', os_name='plan9') }}" % LOOKUP,
    }

    run = run_playbook(localhost_play(expressions, connection_vars(ens_emulator)))
    answers = run.results

    debian = ids_oldest_to_newest(catalogue_images(OSName="debian"))
    assert answers["latest_debian"] == debian[-1]
    assert answers["latest_debian_wantlist"] == [debian[-1]]
    assert answers["ubuntu_ids"] == ids_oldest_to_newest(catalogue_images(OSName="ubuntu"))
    assert answers["ubuntu_22_ens_vm"] == ids_oldest_to_newest(
        [image for image in catalogue_images(OSName="ubuntu", ComputeType="ens_vm") if image["ImageVersion"].startswith("22.")])
    assert answers["terms"] == ids_oldest_to_newest(
        [image for image in catalogue.all_images() if "ubuntu_22" in image["ImageId"] or image["ImageId"].startswith("debian_12")])
    assert answers["own_images"] == [catalogue.CUSTOM_IMAGE_ID]
    assert answers["no_match"] == []

    [detail] = answers["details"]
    raw = [image for image in catalogue.all_images() if image["ImageId"] == debian[-1]][0]
    assert detail["image_id"] == raw["ImageId"]
    assert detail["image_version"] == raw["ImageVersion"]
    assert detail["os_name"] == raw["OSName"]
    assert detail["compute_type"] == raw["ComputeType"]
    assert detail["disk_device_mappings"][0]["image_id"] == raw["DiskDeviceMappings"]["DiskDeviceMapping"][0]["imageId"]


def test_source_export(ens_emulator, run_playbook):
    records = catalogue.export_records()
    exported = [record for record in records if record["ImageExportStatus"] == "Exported"]
    expressions = {
        "all_ids": "{{ query('%s', source='export') }}" % LOOKUP,
        "newest": "{{ lookup('%s', source='export', latest=true) }}" % LOOKUP,
        "exported": "{{ query('%s', source='export', export_status='Exported', details=true) }}" % LOOKUP,
        "by_id": "{{ query('%s', source='export', image_id='%s', details=true) }}" % (LOOKUP, records[3]["ImageId"]),
    }
    ens_emulator.reset_stats()

    run = run_playbook(localhost_play(expressions, connection_vars(ens_emulator)))
    answers = run.results

    assert answers["all_ids"] == export_ids_oldest_to_newest(records)
    assert answers["newest"] == export_ids_oldest_to_newest(records)[-1]
    assert [record["image_id"] for record in answers["exported"]] == export_ids_oldest_to_newest(exported)
    assert all(record["exported_image_url"] for record in answers["exported"])
    [by_id] = answers["by_id"]
    assert by_id["image_id"] == records[3]["ImageId"]
    assert by_id["image_name"] == records[3]["ImageName"]
    assert by_id["creation_time"] == records[3]["CreationTime"]
    # the listing without an image_id was made once and shared; the image_id one is another question
    assert requests_of(ens_emulator, "DescribeImageInfos") == 0
    assert requests_of(ens_emulator, "DescribeExportImageInfo") == 2


# --- failures --------------------------------------------------------------------------


def test_latest_without_a_match_fails_naming_the_filters(ens_emulator, run_playbook):
    expressions = {"image": "{{ lookup('%s', os_name='plan9', image_version='>=9', latest=true) }}" % LOOKUP}

    run = run_playbook(localhost_play(expressions, connection_vars(ens_emulator)), expect_rc=2)

    assert "No ENS image matches os_name=plan9, image_version=>=9" in run.output


def test_api_errors_fail_the_lookup_with_the_code_and_never_the_secret(ens_emulator, run_playbook):
    wrong_secret = "wrongSecretValue1234"
    play_vars = dict(connection_vars(ens_emulator), ens_access_key_secret=wrong_secret)
    expressions = {"image": "{{ lookup('%s', os_name='debian', latest=true) }}" % LOOKUP}

    run = run_playbook(localhost_play(expressions, play_vars), expect_rc=2, extra_args=("-vvv",))

    assert "SignatureDoesNotMatch" in run.output
    assert wrong_secret not in run.output
    assert ens_emulator.access_key_secret not in run.output


def test_a_bad_option_fails_naming_it(ens_emulator, run_playbook):
    expressions = {"image": "{{ query('%s', image_version='>>22') }}" % LOOKUP}

    run = run_playbook(localhost_play(expressions, connection_vars(ens_emulator)), expect_rc=2)

    assert "image_version: malformed constraint" in run.output


def test_the_lookup_needs_no_requests(ens_emulator, run_playbook, tmp_path):
    blockers = tmp_path / "no-requests"
    for name in ("requests", "urllib3"):
        (blockers / name).mkdir(parents=True)
        (blockers / name / "__init__.py").write_text("raise ImportError('No module named %s (hidden by the test)')\n" % name)
    expressions = {"image": "{{ lookup('%s', os_name='debian', latest=true, cache=false) }}" % LOOKUP}

    run = run_playbook(localhost_play(expressions, connection_vars(ens_emulator)), env={"PYTHONPATH": str(blockers)})

    assert run.results["image"] == ids_oldest_to_newest(catalogue_images(OSName="debian"))[-1]


# --- where options come from -------------------------------------------------------------


def test_connection_options_from_environment_variables(ens_emulator, run_playbook):
    expected = ids_oldest_to_newest(catalogue_images(OSName="ubuntu"))[-1]
    expressions = {"image": "{{ lookup('%s', os_name='ubuntu', latest=true) }}" % LOOKUP}

    run = run_playbook(localhost_play(expressions, {"ens_ca_path": ens_emulator.ca_path}), env=ens_emulator.env("v1"))

    assert run.results["image"] == expected


def test_ens_variables_win_over_the_environment(ens_emulator, run_playbook):
    wrong_env = dict(ens_emulator.env(), ALIBABA_CLOUD_ACCESS_KEY_SECRET="notTheSecret", ALIBABA_CLOUD_ENS_ENDPOINT="https://127.0.0.1:1")
    expressions = {"image": "{{ lookup('%s', os_name='ubuntu', latest=true) }}" % LOOKUP}

    run = run_playbook(localhost_play(expressions, connection_vars(ens_emulator)), env=wrong_env)

    assert run.results["image"] == ids_oldest_to_newest(catalogue_images(OSName="ubuntu"))[-1]


def test_keywords_win_over_ens_variables(ens_emulator, run_playbook):
    play_vars = dict(connection_vars(ens_emulator), ens_endpoint="https://127.0.0.1:1", real_endpoint=ens_emulator.url)
    expressions = {"image": "{{ lookup('%s', os_name='centos', latest=true, endpoint=real_endpoint, max_retries=0) }}" % LOOKUP}

    run = run_playbook(localhost_play(expressions, play_vars))

    assert run.results["image"] == ids_oldest_to_newest(catalogue_images(OSName="centos"))[-1]


# --- the cache's files ---------------------------------------------------------------------


def test_cache_files_are_private_hold_no_secret_and_are_removed_after_the_run(ens_emulator, run_playbook, ansible_runner):
    play = """
- name: Look at the run cache while the run is going
  hosts: localhost
  gather_facts: false
  vars: %s
  tasks:
    - name: Use the lookup
      ansible.builtin.set_fact:
        image: "{{ lookup('%s', os_name='debian', latest=true) }}"

    - name: Find the cache entries in this run's temporary directory
      ansible.builtin.find:
        paths: "{{ lookup('ansible.builtin.env', 'ANSIBLE_LOCAL_TEMP') }}"
        recurse: true
        patterns: "*.json"
        hidden: true
      register: entries

    - name: Read them
      ansible.builtin.slurp:
        src: "{{ item.path }}"
      loop: "{{ entries.files }}"
      register: contents

    - name: Write what was found
      ansible.builtin.copy:
        content: "{{ {'files': entries.files, 'contents': contents.results | map(attribute='content') | map('b64decode')} | to_json }}"
        dest: "{{ results_file }}"
        mode: "0600"
""" % (json.dumps(connection_vars(ens_emulator)), LOOKUP)

    run = run_playbook(play)

    files, contents = run.results["files"], [json.loads(content) for content in run.results["contents"]]
    newest = ids_oldest_to_newest(catalogue_images(OSName="debian"))[-1]
    assert len(files) == 2  # the API's listing and the lookup's answer
    assert [newest] in contents
    [listing] = [content for content in contents if content != [newest]]
    assert newest in [image["image_id"] for image in listing["images"]]
    for entry, content in zip(files, run.results["contents"]):
        assert "/alicloud_ens_run_cache/" in entry["path"]
        assert entry["mode"] == "0600"
        for secret in (ens_emulator.access_key_secret, ens_emulator.access_key_id):
            assert secret not in content
            assert secret not in entry["path"]
    local_temp = ansible_runner.home / ".ansible" / "tmp"
    assert list(local_temp.rglob("alicloud_ens_run_cache")) == []
