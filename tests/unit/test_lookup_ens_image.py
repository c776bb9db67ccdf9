"""The ens_image lookup (and plugin_utils/image_lookup.py, its work on a miss): pure helpers, the answer key, what a cache hit costs."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from ansible.errors import AnsibleLookupError

from ansible_collections.alicloud.ens.plugins.lookup import ens_image
from ansible_collections.alicloud.ens.plugins.module_utils import connection
from ansible_collections.alicloud.ens.plugins.module_utils.options import DictOptionReader
from ansible_collections.alicloud.ens.plugins.plugin_utils import image_lookup
from ansible_collections.alicloud.ens.plugins.plugin_utils.run_cache import answer_key


def test_no_match_message_names_every_filter_given_in_order():
    reader = DictOptionReader({"os_name": ["plan9"], "image_version": ">=9,<10", "os_type": None, "name_regex": ""})

    given = image_lookup.filters_given(reader, image_lookup.IMAGE_FILTERS)

    assert given == [("os_name", ["plan9"]), ("image_version", ">=9,<10")]
    assert image_lookup.no_match_message("images", given) == "No ENS image matches os_name=plan9, image_version=>=9,<10"


def test_no_match_message_joins_list_values_and_names_terms():
    reader = ens_image.TermsOptionReader(DictOptionReader({"compute_type": ["arm_vm", "bare_metal"]}), ["^plan9_"])

    message = image_lookup.no_match_message("images", image_lookup.filters_given(reader, image_lookup.IMAGE_FILTERS))

    assert message == "No ENS image matches terms=^plan9_, compute_type=arm_vm,bare_metal"


def test_no_match_message_for_export_records():
    reader = DictOptionReader({"export_status": ["Exported"], "platform": "plan9", "os_name": ["ignored"]})

    message = image_lookup.no_match_message("export", image_lookup.filters_given(reader, image_lookup.EXPORT_FILTERS))

    assert message == "No ENS export record matches export_status=Exported, platform=plan9"


def test_no_match_message_without_filters_says_so():
    assert image_lookup.no_match_message("images", []) == "No ENS image matches (no filters given)"


def test_terms_reader_answers_terms_and_passes_everything_else():
    reader = ens_image.TermsOptionReader(DictOptionReader({"os_name": ["debian"]}), ["ubuntu", "debian"])

    assert reader.get("terms") == ["ubuntu", "debian"]
    assert reader.get("os_name") == ["debian"]
    assert reader.get("latest", False) is False


def test_terms_reader_without_terms_gives_the_default():
    reader = ens_image.TermsOptionReader(DictOptionReader({}), [])

    assert reader.get("terms") is None
    assert reader.get("terms", []) == []


def test_results_are_ids_unless_details_are_asked_for():
    items = [{"image_id": "a", "image_version": "1"}, {"image_id": "b", "image_version": "2"}]

    assert image_lookup.results(items, details=False) == ["a", "b"]
    assert image_lookup.results(items, details=True) is items
    assert image_lookup.results([], details=False) == []


# --- what a cache hit costs: no client, no transport, no query code ---------------------------------

IMPORT_ROOT = Path(__file__).resolve().parents[2] / ".build" / "import-root"
HEAVY_MODULES = ("module_utils.transport", "module_utils.connection", "module_utils.credentials", "module_utils.ens_client", "http.client")
# What a lookup answered from the run cache's answer entries imports of the collection: nothing else.
ANSWER_HIT_MODULES = ["lookup.ens_image", "plugin_utils.plugin_options", "plugin_utils.run_cache"]
UNREACHABLE = "https://127.0.0.1:9"  # nothing listens on the discard port: a request would fail

# Runs in a fresh interpreter, as in an Ansible worker: the real plugin loader loads the lookup, which then
# answers one question (QUESTION: the terms and keywords). With PLANT set, the run cache already holds the API's
# answer (keyed by hand here: endpoint, credentials identity, action, API parameters), as when another host asked
# first. RUN_TEMP stands for the run's temporary directory, which ansible-playbook makes once and shares with every
# worker it forks. "imported" lists the collection's modules the process imported, and http.client if it did.
LOOKUP_IN_A_FRESH_PROCESS = r"""
import json, os, sys
from ansible import constants as C
from ansible.plugins.loader import init_plugin_loader, lookup_loader

C.DEFAULT_LOCAL_TMP = os.environ["RUN_TEMP"]
init_plugin_loader([os.environ["IMPORT_ROOT"]])
lookup = lookup_loader.get("alicloud.ens.ens_image")
if os.environ.get("PLANT"):
    from ansible_collections.alicloud.ens.plugins.plugin_utils.run_cache import RunCache, cache_key, default_cache_dir
    key = cache_key(os.environ["ENDPOINT"], "key:LTAIworkerTest", "DescribeImageInfos", {"os_type": None})
    RunCache(default_cache_dir()).get_or_compute(key, lambda: json.loads(os.environ["PLANT"]))
question = json.loads(os.environ["QUESTION"])
try:
    outcome = {"answer": lookup.run(question.pop("terms"), variables={}, endpoint=os.environ["ENDPOINT"], access_key_id="LTAIworkerTest",
                                    access_key_secret="workerTestSecret", max_retries=0, **question)}
except Exception as error:
    outcome = {"error": "%s: %s" % (type(error).__name__, error)}
prefix = "ansible_collections.alicloud.ens.plugins."
outcome["imported"] = sorted(name[len(prefix):] for name in sys.modules
                             if name.startswith(prefix) and name[len(prefix):].count(".") == 1) + (["http.client"] if "http.client" in sys.modules else [])
print(json.dumps(outcome))
"""

PLANTED_ANSWER = {"request_id": "R-planted", "images": [
    {"image_id": "ubuntu_22_04_x64_20G_alibase_20240220.vhd", "image_version": "22.04"},
    {"image_id": "ubuntu_24_04_x64_20G_alibase_20240601.vhd", "image_version": "24.04"},
    {"image_id": "centos_7_9_x64_20G_alibase_20240301.vhd", "image_version": "7.9"},
]}
NEWEST_UBUNTU = {"terms": ["^ubuntu_"], "latest": True}


def lookup_in_a_fresh_process(tmp_path, planted=None, question=None):
    run_temp = tmp_path / "run-temp"
    run_temp.mkdir(exist_ok=True)
    env = dict((name, value) for name, value in os.environ.items() if not name.startswith(("ANSIBLE_", "ALIBABA_CLOUD_", "ALICLOUD_")))
    env.update({"HOME": str(tmp_path), "ANSIBLE_LOCAL_TEMP": str(tmp_path / "tmp"), "ANSIBLE_HOME": str(tmp_path / ".ansible"),
                "IMPORT_ROOT": str(IMPORT_ROOT), "ENDPOINT": UNREACHABLE, "PYTHONPATH": "", "RUN_TEMP": str(run_temp),
                "QUESTION": json.dumps(question or NEWEST_UBUNTU)})
    if planted is not None:
        env["PLANT"] = json.dumps(planted)
    completed = subprocess.run([sys.executable, "-c", LOOKUP_IN_A_FRESH_PROCESS], env=env, cwd=str(tmp_path),
                               capture_output=True, text=True, timeout=120, check=False)
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1])


def heavy(imported):
    return [name for name in imported if name in HEAVY_MODULES]


def code_modules(imported):
    """The imported modules but the doc fragments (the plugin loader reads those for the lookup's documentation)."""
    return [name for name in imported if not name.startswith("doc_fragments.")]


def test_a_cache_hit_builds_no_client_and_imports_no_transport(tmp_path):
    outcome = lookup_in_a_fresh_process(tmp_path, planted=PLANTED_ANSWER)

    assert outcome.get("error") is None
    assert outcome["answer"] == ["ubuntu_24_04_x64_20G_alibase_20240601.vhd"]  # from the cache: the endpoint is unreachable
    assert heavy(outcome["imported"]) == []


def test_a_repeated_question_is_answered_without_importing_the_query_code(tmp_path):
    first = lookup_in_a_fresh_process(tmp_path, planted=PLANTED_ANSWER)
    second = lookup_in_a_fresh_process(tmp_path)  # nothing planted: the first process left its answer in the run cache

    assert first["answer"] == second["answer"] == ["ubuntu_24_04_x64_20G_alibase_20240601.vhd"]
    assert "plugin_utils.image_lookup" in first["imported"]  # the first one worked the answer out from the listing
    assert "module_utils.image_queries" in first["imported"]
    assert code_modules(second["imported"]) == ANSWER_HIT_MODULES


def test_another_filter_over_the_same_listing_is_another_answer_from_the_same_entry(tmp_path):
    newest_ubuntu = lookup_in_a_fresh_process(tmp_path, planted=PLANTED_ANSWER)
    every_image = lookup_in_a_fresh_process(tmp_path, question={"terms": []})
    centos = lookup_in_a_fresh_process(tmp_path, question={"terms": ["^centos_"]})
    newest_ubuntu_details = lookup_in_a_fresh_process(tmp_path, question=dict(NEWEST_UBUNTU, details=True))

    # the endpoint is unreachable: every answer comes from the one planted listing, worked out anew for each question
    assert newest_ubuntu["answer"] == ["ubuntu_24_04_x64_20G_alibase_20240601.vhd"]
    assert every_image["answer"] == ["centos_7_9_x64_20G_alibase_20240301.vhd", "ubuntu_22_04_x64_20G_alibase_20240220.vhd",
                                     "ubuntu_24_04_x64_20G_alibase_20240601.vhd"]
    assert centos["answer"] == ["centos_7_9_x64_20G_alibase_20240301.vhd"]
    assert newest_ubuntu_details["answer"] == [PLANTED_ANSWER["images"][1]]
    for outcome in (every_image, centos, newest_ubuntu_details):
        assert outcome.get("error") is None
        assert "module_utils.image_queries" in outcome["imported"]


def test_a_failed_lookup_stores_no_answer(tmp_path):
    plan9 = {"terms": ["^plan9_"], "latest": True}
    first = lookup_in_a_fresh_process(tmp_path, planted=PLANTED_ANSWER, question=plan9)
    second = lookup_in_a_fresh_process(tmp_path, question=plan9)

    assert first["error"] == second["error"]
    assert first["error"].endswith("Error: No ENS image matches terms=^plan9_")
    assert "module_utils.image_queries" in second["imported"]  # asked again, from the listing


def test_a_cache_miss_builds_the_client_and_asks_the_api(tmp_path):
    outcome = lookup_in_a_fresh_process(tmp_path)

    assert "ConnectionError" in outcome["error"]
    assert "workerTestSecret" not in outcome["error"]
    assert sorted(heavy(outcome["imported"])) == sorted(HEAVY_MODULES)


# --- the answer key: everything the answer depends on, never a secret -------------------------------

KEYED_OPTIONS = {
    "endpoint": "https://127.0.0.1:8443", "access_key_id": "LTAIkeyTest", "access_key_secret": "secretValueTest",
    "security_token": "tokenValueTest", "source": "images", "latest": True, "details": False, "cache": True,
}
# Another value for every option the answer depends on (ANSWER_OPTIONS and ROUTING_OPTIONS).
OTHER_VALUES = {
    "source": "export", "latest": False, "details": True, "os_type": "linux", "os_name": ["debian"], "compute_type": ["ens_vm"],
    "image_version": ">=22", "image_ids": ["m-1"], "owner_alias": "self", "name_regex": "x86", "image_id": "m-1",
    "image_name": "web", "export_status": ["Exported"], "platform": "ubuntu", "architecture": "x86_64",
    "endpoint": "https://127.0.0.1:9443", "region_id": "cn-beijing", "endpoint_type": "vpc", "access_key_id": "LTAIotherKey",
    "assume_role_arn": "acs:ram::1:role/reader", "profile": "other", "config_file": "/elsewhere/config.json", "ecs_role_name": "reader",
}


def question_of(options, terms=("^ubuntu_",)):
    return ens_image.answer_question(ens_image.TermsOptionReader(DictOptionReader(options), list(terms)))


def answer_key_of(options, terms=("^ubuntu_",)):
    return answer_key(ens_image.PLUGIN_NAME, question_of(options, terms))


def test_the_answer_depends_on_every_option_of_the_lookup_but_cache():
    documented = yaml.safe_load(ens_image.DOCUMENTATION)["options"]

    assert sorted(ens_image.ANSWER_OPTIONS) == sorted(set(documented) - {"_terms", "cache"})
    assert sorted(OTHER_VALUES) == sorted(ens_image.ANSWER_OPTIONS + ens_image.ROUTING_OPTIONS)


@pytest.mark.parametrize("name", sorted(OTHER_VALUES))
def test_every_option_the_answer_depends_on_changes_the_answer_key(name):
    assert answer_key_of(dict(KEYED_OPTIONS, **{name: OTHER_VALUES[name]})) != answer_key_of(KEYED_OPTIONS)


def test_the_terms_change_the_answer_key_and_their_order_too():
    keys = set(answer_key_of(KEYED_OPTIONS, terms) for terms in [(), ("^ubuntu_",), ("^debian_",), ("a", "b"), ("b", "a")])

    assert len(keys) == 5


def test_secrets_and_how_the_api_is_asked_stay_out_of_the_answer_key():
    changed = dict(KEYED_OPTIONS, access_key_secret="anotherSecret", security_token="anotherToken", assume_role_external_id="extId",
                   timeout=3, max_retries=0, deadline=5, ca_path="/ca.pem", validate_certs=False, signature_version="v1", max_concurrency=4)

    assert question_of(changed) == question_of(KEYED_OPTIONS)
    text = json.dumps(question_of(changed))
    for secret in ("secretValueTest", "tokenValueTest", "anotherSecret", "anotherToken", "extId"):
        assert secret not in text


def test_without_the_config_file_the_question_holds_the_options_only():
    question = question_of(KEYED_OPTIONS)

    assert "resolved" not in question
    assert question["connection"]["endpoint"] == "https://127.0.0.1:8443"
    assert question["terms"] == ["^ubuntu_"]


def write_profile(path, region_id, name="p"):
    path.write_text(json.dumps({"current": name, "profiles": [
        {"name": name, "mode": "AK", "access_key_id": "LTAIprofileKey", "access_key_secret": "profileSecret", "region_id": region_id}]}))


def test_with_the_config_file_the_key_follows_what_the_file_says(tmp_path):
    config = tmp_path / "config.json"
    options = {"config_file": str(config), "latest": True, "cache": True}
    write_profile(config, "ap-northeast-1")
    first = question_of(options)
    write_profile(config, "ap-southeast-1")
    second = question_of(options)
    write_profile(config, "ap-southeast-1", name="q")
    third = question_of(options)

    assert first["resolved"] == {"endpoint": "https://ens.ap-northeast-1.aliyuncs.com", "identity": "profile:%s#p" % config}
    assert second["resolved"] == {"endpoint": "https://ens.ap-southeast-1.aliyuncs.com", "identity": "profile:%s#p" % config}
    assert third["resolved"]["identity"] == "profile:%s#q" % config
    assert "profileSecret" not in json.dumps([first, second, third])


def test_with_a_key_but_no_endpoint_or_region_the_profile_region_is_in_the_key(tmp_path):
    config = tmp_path / "config.json"
    write_profile(config, "ap-northeast-1")

    question = question_of({"config_file": str(config), "access_key_id": "LTAIkeyTest"})

    assert question["resolved"] == {"endpoint": "https://ens.ap-northeast-1.aliyuncs.com", "identity": "key:LTAIkeyTest"}


def test_a_bad_option_met_while_building_the_key_is_a_lookup_error(tmp_path):
    with pytest.raises(AnsibleLookupError) as raised:
        question_of({"config_file": str(tmp_path / "absent.json"), "region_id": "Not A Region"})

    assert "region_id" in str(raised.value)


# --- the cache key's endpoint is the one the client calls ----------------------------------------


@pytest.mark.parametrize("options", [
    {"endpoint": "https://127.0.0.1:8443"},
    {"endpoint": "ens.example.com", "region_id": "ap-southeast-1"},
    {"region_id": "ap-southeast-1"},
    {"region_id": "ap-southeast-1", "endpoint_type": "vpc"},
    {"region_id": "cn-hangzhou"},
    {},
])
def test_request_endpoint_is_the_endpoint_the_client_calls(options, tmp_path):
    reader = DictOptionReader(dict(options, config_file=str(tmp_path / "absent.json")) if options else {})

    assert image_lookup.request_endpoint(reader) == connection.endpoint_of(reader)


def test_request_endpoint_takes_the_region_of_the_profile_as_the_client_does(tmp_path):
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"current": "p", "profiles": [
        {"name": "p", "mode": "AK", "access_key_id": "id", "access_key_secret": "s", "region_id": "ap-northeast-1"}]}))
    reader = DictOptionReader({"config_file": str(config)})

    assert image_lookup.request_endpoint(reader) == connection.endpoint_of(reader)
    assert "ap-northeast-1" in image_lookup.request_endpoint(reader)
