"""The ens_image lookup: its pure helpers (no-match message, terms reader, result shape) and what a cache hit costs."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ansible_collections.alicloud.ens.plugins.lookup import ens_image
from ansible_collections.alicloud.ens.plugins.module_utils import connection
from ansible_collections.alicloud.ens.plugins.module_utils.options import DictOptionReader


def test_no_match_message_names_every_filter_given_in_order():
    reader = DictOptionReader({"os_name": ["plan9"], "image_version": ">=9,<10", "os_type": None, "name_regex": ""})

    given = ens_image.filters_given(reader, ens_image.IMAGE_FILTERS)

    assert given == [("os_name", ["plan9"]), ("image_version", ">=9,<10")]
    assert ens_image.no_match_message("images", given) == "No ENS image matches os_name=plan9, image_version=>=9,<10"


def test_no_match_message_joins_list_values_and_names_terms():
    reader = ens_image.TermsOptionReader(DictOptionReader({"compute_type": ["arm_vm", "bare_metal"]}), ["^plan9_"])

    message = ens_image.no_match_message("images", ens_image.filters_given(reader, ens_image.IMAGE_FILTERS))

    assert message == "No ENS image matches terms=^plan9_, compute_type=arm_vm,bare_metal"


def test_no_match_message_for_export_records():
    reader = DictOptionReader({"export_status": ["Exported"], "platform": "plan9", "os_name": ["ignored"]})

    message = ens_image.no_match_message("export", ens_image.filters_given(reader, ens_image.EXPORT_FILTERS))

    assert message == "No ENS export record matches export_status=Exported, platform=plan9"


def test_no_match_message_without_filters_says_so():
    assert ens_image.no_match_message("images", []) == "No ENS image matches (no filters given)"


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

    assert ens_image.results(items, details=False) == ["a", "b"]
    assert ens_image.results(items, details=True) is items
    assert ens_image.results([], details=False) == []


# --- what a cache hit costs: no client, no transport ------------------------------------------

IMPORT_ROOT = Path(__file__).resolve().parents[2] / ".build" / "import-root"
HEAVY_MODULES = ("transport", "connection", "credentials", "ens_client", "http.client")
UNREACHABLE = "https://127.0.0.1:9"  # nothing listens on the discard port: a request would fail

# Runs in a fresh interpreter, as in an Ansible worker: the real plugin loader loads the lookup, which then
# answers one question. With PLANT set, the run cache already holds the API's answer (keyed by hand here:
# endpoint, credentials identity, action, API parameters), as when another host asked first.
LOOKUP_IN_A_FRESH_PROCESS = r"""
import json, os, sys
from ansible.plugins.loader import init_plugin_loader, lookup_loader

init_plugin_loader([os.environ["IMPORT_ROOT"]])
lookup = lookup_loader.get("alicloud.ens.ens_image")
from ansible_collections.alicloud.ens.plugins.plugin_utils.run_cache import RunCache, cache_key, default_cache_dir
if os.environ.get("PLANT"):
    key = cache_key(os.environ["ENDPOINT"], "key:LTAIworkerTest", "DescribeImageInfos", {"os_type": None})
    RunCache(default_cache_dir()).get_or_compute(key, lambda: json.loads(os.environ["PLANT"]))
try:
    outcome = {"answer": lookup.run(["^ubuntu_"], variables={}, endpoint=os.environ["ENDPOINT"], access_key_id="LTAIworkerTest",
                                    access_key_secret="workerTestSecret", max_retries=0, latest=True)}
except Exception as error:
    outcome = {"error": "%s: %s" % (type(error).__name__, error)}
prefix = "ansible_collections.alicloud.ens.plugins.module_utils."
outcome["imported"] = sorted(name for name in ("transport", "connection", "credentials", "ens_client")
                             if prefix + name in sys.modules) + (["http.client"] if "http.client" in sys.modules else [])
print(json.dumps(outcome))
"""

PLANTED_ANSWER = {"request_id": "R-planted", "images": [
    {"image_id": "ubuntu_22_04_x64_20G_alibase_20240220.vhd", "image_version": "22.04"},
    {"image_id": "ubuntu_24_04_x64_20G_alibase_20240601.vhd", "image_version": "24.04"},
    {"image_id": "centos_7_9_x64_20G_alibase_20240301.vhd", "image_version": "7.9"},
]}


def lookup_in_a_fresh_process(tmp_path, planted=None):
    env = dict((name, value) for name, value in os.environ.items() if not name.startswith(("ANSIBLE_", "ALIBABA_CLOUD_", "ALICLOUD_")))
    env.update({"HOME": str(tmp_path), "ANSIBLE_LOCAL_TEMP": str(tmp_path / "tmp"), "ANSIBLE_HOME": str(tmp_path / ".ansible"),
                "IMPORT_ROOT": str(IMPORT_ROOT), "ENDPOINT": UNREACHABLE, "PYTHONPATH": ""})
    if planted is not None:
        env["PLANT"] = json.dumps(planted)
    completed = subprocess.run([sys.executable, "-c", LOOKUP_IN_A_FRESH_PROCESS], env=env, cwd=str(tmp_path),
                               capture_output=True, text=True, timeout=120, check=False)
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_a_cache_hit_builds_no_client_and_imports_no_transport(tmp_path):
    outcome = lookup_in_a_fresh_process(tmp_path, planted=PLANTED_ANSWER)

    assert outcome.get("error") is None
    assert outcome["answer"] == ["ubuntu_24_04_x64_20G_alibase_20240601.vhd"]  # from the cache: the endpoint is unreachable
    assert outcome["imported"] == []


def test_a_cache_miss_builds_the_client_and_asks_the_api(tmp_path):
    outcome = lookup_in_a_fresh_process(tmp_path)

    assert "ConnectionError" in outcome["error"]
    assert "workerTestSecret" not in outcome["error"]
    assert sorted(outcome["imported"]) == sorted(HEAVY_MODULES)


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

    assert ens_image.request_endpoint(reader) == connection.endpoint_of(reader)


def test_request_endpoint_takes_the_region_of_the_profile_as_the_client_does(tmp_path):
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"current": "p", "profiles": [
        {"name": "p", "mode": "AK", "access_key_id": "id", "access_key_secret": "s", "region_id": "ap-northeast-1"}]}))
    reader = DictOptionReader({"config_file": str(config)})

    assert ens_image.request_endpoint(reader) == connection.endpoint_of(reader)
    assert "ap-northeast-1" in ens_image.request_endpoint(reader)
