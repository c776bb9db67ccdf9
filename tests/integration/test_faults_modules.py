"""The fault matrix through the real modules: each fault kind x both modules x both signature versions.

One ``ansible-playbook`` run per (fault kind, signature version) runs both
modules against an emulator that injects that fault. Each run must end in
complete, exact results (checked against the emulator's catalogue) that
report what the retries cost, or in a clear error.
"""

import pytest
import yaml

from tests.emulator import catalogue
from tests.integration.expectations import expected_record

SIGNATURES = ("v3", "v1")
IMAGE_INFO = "alicloud.ens.ens_image_info"
EXPORT_INFO = "alicloud.ens.ens_export_image_info"
RECORDS = 600  # 12 pages of 50
SEED = 11

# kind -> (emulator flags, extra module options)
FAULTS = {
    "throttling": (("--fault", "throttling:0.3"), {}),
    "unavailable": (("--fault", "unavailable:0.3"), {}),
    "internal": (("--fault", "internal:0.3"), {}),
    "reset": (("--fault", "reset:0.3"), {}),
    "slow": (("--fault", "slow:0.3:3", "--slow-seconds", "3"), {"timeout": 1}),
    "html502": (("--fault", "html502:0.3"), {}),
    # Two records appear during the listings; the third listing at the latest sees a stable list.
    "drift": (("--fault", "drift:0.3:2"), {}),
}
RETRIED_KINDS = set(FAULTS) - {"drift"}


def expected_records(count):
    records = [expected_record(raw) for raw in catalogue.export_records(count, SEED)]
    return sorted(records, key=lambda record: (record["creation_time"], record["image_id"]))


def expected_image_ids():
    return sorted(raw["ImageId"] for raw in catalogue.images_for_os_type(None))


def fault_play(connection):
    """Both modules, errors kept, then every result written to ``results_file``."""
    tasks = [
        {"name": "images", IMAGE_INFO: {}, "register": "r_images", "ignore_errors": True},
        {"name": "exports", EXPORT_INFO: {}, "register": "r_exports", "ignore_errors": True},
        {"name": "Write the results", "ansible.builtin.copy": {
            "content": "{{ {'images': r_images, 'exports': r_exports} | to_json }}",
            "dest": "{{ results_file }}", "mode": "0600"}},
    ]
    play = {"name": "fault matrix", "hosts": "localhost", "gather_facts": False,
            "module_defaults": {"group/alicloud.ens.ens": connection}, "tasks": tasks}
    return yaml.safe_dump([play], sort_keys=False)


def assert_clear_error(result):
    assert result["failed"] is True and result["changed"] is False
    assert result["code"] and result["message"] and result["code"] in result["msg"]
    assert "retries" in result and "api_calls" in result


@pytest.mark.parametrize("signature", SIGNATURES)
@pytest.mark.parametrize("kind", sorted(FAULTS))
def test_fault_matrix(start_emulator, run_playbook, kind, signature):
    flags, options = FAULTS[kind]
    emulator = start_emulator("--export-images", str(RECORDS), "--seed", str(SEED), *flags)
    connection = dict(emulator.module_args(signature), max_retries=10, max_concurrency=4, **options)
    results = run_playbook(fault_play(connection)).results
    images, exports = results["images"], results["exports"]
    stats = emulator.stats()

    assert not images.get("failed"), images.get("msg")
    assert sorted(images["image_ids"]) == expected_image_ids()

    if exports.get("failed"):
        assert kind == "drift", exports.get("msg")
        assert_clear_error(exports)
        assert exports["code"] == "ListingChanged"
    else:
        total = exports["total_count"]
        assert total == RECORDS + stats["faults"].get("drift", 0)
        assert exports["images"] == expected_records(total)

    assert stats["faults"].get(kind, 0) > 0, "the fault never fired: the run proves nothing"
    retries = images["retries"] + exports["retries"]
    api_calls = images["api_calls"] + exports["api_calls"]
    assert api_calls == sum(stats["requests"].values())
    if kind in RETRIED_KINDS:
        assert retries == stats["faults"][kind]
    else:
        assert retries == 0
