"""Both modules through real ``ansible-playbook`` / ``ansible`` runs against the emulator over HTTPS.

Expected answers come from the emulator's catalogue (tests/emulator/catalogue.py),
converted and ordered here independently of the collection's own code.
"""

import re

import pytest
import yaml

from tests.emulator import catalogue
from tests.integration.expectations import expected_record

SIGNATURES = ("v3", "v1")
TOKEN = "emulatorStsToken-42"
REQUEST_ID = re.compile(r"^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$")
IMAGE_INFO = "alicloud.ens.ens_image_info"
EXPORT_INFO = "alicloud.ens.ens_export_image_info"


# --- what the emulator's catalogue predicts ------------------------------------------


def expected_image(raw):
    disks = raw["DiskDeviceMappings"]["DiskDeviceMapping"]
    return {
        "image_id": raw["ImageId"],
        "description": raw["Description"],
        "image_size": raw["ImageSize"],
        "image_version": raw["ImageVersion"],
        "os_name": raw["OSName"],
        "os_type": raw["OSType"],
        "compute_type": raw["ComputeType"],
        "image_owner_alias": raw["ImageOwnerAlias"],
        "region_id": raw["RegionId"],
        "disk_device_mappings": [{"type": disk["Type"], "size": disk["Size"], "format": disk["Format"],
                                  "image_id": disk["imageId"]} for disk in disks],
    }


def oldest_first(image):
    """Numeric version, then the 8-digit build date in the ID, then the ID (the catalogue's versions are numeric)."""
    dates = re.findall(r"(?<![0-9])(20[0-9]{6})(?![0-9])", image["image_id"])
    return (tuple(int(part) for part in image["image_version"].split(".")), dates[-1] if dates else "", image["image_id"])


def expected_images(os_type=None, keep=lambda image: True):
    images = [expected_image(raw) for raw in catalogue.images_for_os_type(os_type)]
    return sorted([image for image in images if keep(image)], key=oldest_first)


def by_creation(records):
    return sorted(records, key=lambda record: (record["creation_time"], record["image_id"]))


def expected_records(keep=lambda record: True, raw_records=None):
    raw = catalogue.export_records() if raw_records is None else raw_records
    return by_creation([record for record in map(expected_record, raw) if keep(record)])


# --- plays --------------------------------------------------------------------------


def play(tasks, module_defaults=None):
    """A play on localhost running ``tasks`` (``(name, module, args, extra task keys)``) and writing every result.

    Each task registers ``r_<name>``; the last task writes ``{name: result}`` to ``results_file``,
    also in check mode.
    """
    body = []
    for name, module, args, extra in tasks:
        task = {"name": name, module: args, "register": "r_" + name}
        task.update(extra)
        body.append(task)
    results = "{{ {%s} | to_json }}" % ", ".join("'%s': r_%s" % (name, name) for name, _module, _args, _extra in tasks)
    body.append({"name": "Write the results", "check_mode": False,
                 "ansible.builtin.copy": {"content": results, "dest": "{{ results_file }}", "mode": "0600"}})
    playbook = {"name": "alicloud.ens modules", "hosts": "localhost", "gather_facts": False, "tasks": body}
    if module_defaults:
        playbook["module_defaults"] = module_defaults
    return yaml.safe_dump([playbook], sort_keys=False)


def task(name, module, args, **extra):
    return (name, module, args, extra)


def failing(name, module, args):
    return task(name, module, args, ignore_errors=True)


def listed_ids(result):
    return [image["image_id"] for image in result["images"]]


def assert_success(result):
    assert result.get("failed") is not True, result.get("msg")
    assert result["changed"] is False
    assert result["retries"] == 0


def adhoc_result(run):
    """The ad-hoc result with ``failed`` put back (the minimal callback prints it as the FAILED! status)."""
    return dict(run.result, failed=run.failed)


def assert_api_failure(result, code, http_status=400):
    assert result["failed"] is True
    assert result["changed"] is False
    assert result["code"] == code
    assert result["http_status"] == http_status
    assert REQUEST_ID.match(result["request_id"])
    assert result["message"]
    assert code in result["msg"] and result["request_id"] in result["msg"]


# --- listing everything -------------------------------------------------------------


@pytest.mark.parametrize("signature", SIGNATURES)
def test_both_modules_return_the_whole_catalogue_oldest_first(ens_emulator, run_playbook, signature):
    connection = ens_emulator.module_args(signature)
    ens_emulator.reset_stats()
    run = run_playbook(play([task("images", IMAGE_INFO, connection), task("exports", EXPORT_INFO, connection)]))
    images, exports = run.results["images"], run.results["exports"]

    assert_success(images)
    assert images["images"] == expected_images()
    assert images["image_ids"] == listed_ids(images)
    assert REQUEST_ID.match(images["request_id"])
    assert images["api_calls"] == 1

    assert_success(exports)
    assert exports["images"] == expected_records()
    assert exports["total_count"] == catalogue.DEFAULT_EXPORT_IMAGES
    assert exports["api_calls"] == 1  # 13 records fit in one page of 50

    stats = ens_emulator.stats()
    assert stats["requests"] == {"DescribeImageInfos": 1, "DescribeExportImageInfo": 1}
    assert stats["signatures"] == {signature: 2}


def test_images_are_ordered_by_numeric_version_then_build_date(ens_emulator, run_playbook):
    args = dict(ens_emulator.module_args(), os_name=["ubuntu"], compute_type=["ens_vm"])
    result = run_playbook(play([task("ubuntu", IMAGE_INFO, args)])).results["ubuntu"]
    versions = [tuple(int(part) for part in image["image_version"].split(".")) for image in result["images"]]
    assert versions == sorted(versions) and len(set(versions)) > 2
    assert result["image_ids"][-2:] == ["ubuntu_22_04_x64_20G_alibase_20240220.vhd", "ubuntu_24_04_x64_20G_alibase_20240812.vhd"]
    same_version = [image_id for image_id in result["image_ids"] if image_id.startswith("ubuntu_22_04_x64_20G_alibase_")]
    assert same_version == sorted(same_version, key=lambda image_id: re.findall(r"20[0-9]{6}", image_id)[-1])


# --- filters ------------------------------------------------------------------------


def test_image_filters(ens_emulator, run_playbook):
    connection = ens_emulator.module_args()
    some_ids = [raw["ImageId"] for raw in catalogue.all_images()[::5]]
    tasks = [
        task("linux", IMAGE_INFO, dict(connection, os_type="linux")),
        task("windows", IMAGE_INFO, dict(connection, os_type="windows")),
        task("os_name", IMAGE_INFO, dict(connection, os_name=["DEBIAN", "CentOS"])),
        task("compute", IMAGE_INFO, dict(connection, compute_type=["arm_vm", "bare_metal"])),
        task("self", IMAGE_INFO, dict(connection, owner_alias="self")),
        task("ids", IMAGE_INFO, dict(connection, image_ids=some_ids)),
        task("regex", IMAGE_INFO, dict(connection, name_regex="_20G_alibase_2023")),
        task("version", IMAGE_INFO, dict(connection, os_name=["ubuntu"], image_version=">=20.04,<24")),
        task("latest", IMAGE_INFO, dict(connection, os_type="linux", os_name=["ubuntu"], compute_type=["ens_vm"],
                                        owner_alias="system", latest=True)),
        task("nothing", IMAGE_INFO, dict(connection, os_name=["plan9"], latest=True)),
    ]
    results = run_playbook(play(tasks)).results

    def version(image):
        return tuple(int(part) for part in image["image_version"].split("."))

    expectations = {
        "linux": expected_images("linux"),
        "windows": expected_images("windows"),
        "os_name": expected_images(keep=lambda image: image["os_name"] in ("debian", "centos")),
        "compute": expected_images(keep=lambda image: image["compute_type"] in ("arm_vm", "bare_metal")),
        "self": expected_images(keep=lambda image: image["image_owner_alias"] == "self"),
        "ids": expected_images(keep=lambda image: image["image_id"] in some_ids),
        "regex": expected_images(keep=lambda image: "_20G_alibase_2023" in image["image_id"]),
        "version": expected_images(keep=lambda image: image["os_name"] == "ubuntu" and (20, 4) <= version(image) < (24,)),
        "latest": expected_images("linux", keep=lambda image: (image["os_name"], image["compute_type"], image["image_owner_alias"])
                                  == ("ubuntu", "ens_vm", "system"))[-1:],
        "nothing": [],
    }
    for name, expected in expectations.items():
        assert_success(results[name])
        assert results[name]["images"] == expected, name
        assert results[name]["image_ids"] == [image["image_id"] for image in expected], name
    assert len(results["latest"]["images"]) == 1
    assert all(expectations[name] for name in expectations if name != "nothing"), "every filter must keep something"


def test_export_filters_and_single_pages(ens_emulator, run_playbook):
    connection = ens_emulator.module_args()
    raw = catalogue.export_records()
    one = raw[4]
    newest_first = catalogue.listing_order(raw)
    tasks = [
        task("status", EXPORT_INFO, dict(connection, export_status=["Exported", "ExportError"])),
        task("owner", EXPORT_INFO, dict(connection, owner_alias="self")),
        task("platform", EXPORT_INFO, dict(connection, platform=["UBUNTU", "debian"])),
        task("arch", EXPORT_INFO, dict(connection, architecture=["x86_64"])),
        task("regex", EXPORT_INFO, dict(connection, name_regex="^(web|api)-")),
        task("latest", EXPORT_INFO, dict(connection, export_status=["Exported"], latest=True)),
        task("by_id", EXPORT_INFO, dict(connection, image_id=one["ImageId"])),
        task("by_name", EXPORT_INFO, dict(connection, image_name=one["ImageName"])),
        task("page", EXPORT_INFO, dict(connection, page_number=2, page_size=5)),
        task("default_page", EXPORT_INFO, dict(connection, page_number=2)),
        task("small_pages", EXPORT_INFO, dict(connection, page_size=4)),
    ]
    results = run_playbook(play(tasks)).results
    expectations = {
        "status": expected_records(lambda record: record["image_export_status"] in ("Exported", "ExportError")),
        "owner": expected_records(lambda record: record["image_owner_alias"] == "self"),
        "platform": expected_records(lambda record: record["platform"] in ("ubuntu", "debian")),
        "arch": expected_records(lambda record: record["architecture"] == "x86_64"),
        "regex": expected_records(lambda record: record["image_name"].startswith(("web-", "api-"))),
        "latest": expected_records(lambda record: record["image_export_status"] == "Exported")[-1:],
        "by_id": [expected_record(one)],
        "by_name": [expected_record(one)],
        "page": expected_records(raw_records=catalogue.page_of(newest_first, 2, 5)),
        "default_page": expected_records(raw_records=catalogue.page_of(newest_first, 2, catalogue.DEFAULT_PAGE_SIZE)),
        "small_pages": expected_records(),
    }
    for name, expected in expectations.items():
        assert_success(results[name])
        assert results[name]["images"] == expected, name
        assert expected, "%s must keep something" % name
    assert results["by_id"]["total_count"] == 1
    assert results["page"]["total_count"] == catalogue.DEFAULT_EXPORT_IMAGES
    assert results["page"]["api_calls"] == 1
    assert results["small_pages"]["api_calls"] == 4  # ceil(13 / 4) pages, each record exactly once


# --- credentials and connection settings ---------------------------------------------


@pytest.mark.parametrize("signature", SIGNATURES)
def test_sts_token(start_emulator, run_playbook, signature):
    emulator = start_emulator("--security-token", TOKEN)
    with_token = emulator.module_args(signature)
    assert with_token["security_token"] == TOKEN
    without_token = dict((name, value) for name, value in with_token.items() if name != "security_token")
    tasks = [
        task("images", IMAGE_INFO, with_token),
        task("exports", EXPORT_INFO, with_token),
        failing("no_token", IMAGE_INFO, without_token),
        failing("wrong_token", EXPORT_INFO, dict(with_token, security_token="not-the-token")),
    ]
    results = run_playbook(play(tasks)).results
    assert results["images"]["images"] == expected_images()
    assert results["exports"]["images"] == expected_records()
    assert_api_failure(results["no_token"], "InvalidSecurityToken.Missing")
    assert_api_failure(results["wrong_token"], "InvalidSecurityToken.Mismatch")


def test_module_defaults_group_sets_the_connection_once(ens_emulator, run_playbook):
    tasks = [
        task("images", IMAGE_INFO, {"os_type": "windows"}),
        task("exports", EXPORT_INFO, {"latest": True}),
    ]
    defaults = {"group/alicloud.ens.ens": ens_emulator.module_args("v1")}
    results = run_playbook(play(tasks, module_defaults=defaults)).results
    assert results["images"]["images"] == expected_images("windows")
    assert results["exports"]["images"] == expected_records()[-1:]


@pytest.mark.parametrize("signature", SIGNATURES)
def test_adhoc_configured_by_environment_variables(ens_emulator, run_adhoc, signature):
    run = run_adhoc(IMAGE_INFO, {"ca_path": ens_emulator.ca_path, "os_type": "linux"}, env=ens_emulator.env(signature))
    assert run.status == "SUCCESS"
    assert_success(run.result)
    assert run.result["images"] == expected_images("linux")


def test_the_modules_need_no_requests(ens_emulator, run_adhoc, tmp_path):
    blockers = tmp_path / "no-requests"
    for name in ("requests", "urllib3"):
        (blockers / name).mkdir(parents=True)
        (blockers / name / "__init__.py").write_text("raise ImportError('No module named %s (hidden by the test)')\n" % name)
    env = dict(ens_emulator.env(), PYTHONPATH=str(blockers))
    run = run_adhoc(IMAGE_INFO, {"ca_path": ens_emulator.ca_path, "os_type": "linux"}, env=env)
    assert_success(run.result)
    assert run.result["images"] == expected_images("linux")


def test_adhoc_legacy_alicloud_environment_variables(ens_emulator, run_adhoc):
    env = {
        "ALICLOUD_ACCESS_KEY": ens_emulator.access_key_id,
        "ALICLOUD_SECRET_KEY": ens_emulator.access_key_secret,
        "ALIBABA_CLOUD_ENS_ENDPOINT": ens_emulator.url,
    }
    run = run_adhoc(EXPORT_INFO, "ca_path=%s page_number=1 page_size=3" % ens_emulator.ca_path, env=env)
    assert_success(run.result)
    newest_first = catalogue.listing_order(catalogue.export_records())
    assert run.result["images"] == expected_records(raw_records=newest_first[:3])


def test_an_explicit_option_beats_the_environment(ens_emulator, run_adhoc):
    wrong_env = dict(ens_emulator.env(), ALIBABA_CLOUD_ACCESS_KEY_SECRET="wrong-secret-from-env")
    explicit = {"ca_path": ens_emulator.ca_path, "access_key_secret": ens_emulator.access_key_secret}
    assert_success(run_adhoc(IMAGE_INFO, explicit, env=wrong_env).result)
    failed = run_adhoc(IMAGE_INFO, {"ca_path": ens_emulator.ca_path}, env=wrong_env, expect_rc=2)
    assert_api_failure(adhoc_result(failed), "SignatureDoesNotMatch")


# --- failures -----------------------------------------------------------------------


def test_wrong_secret_fails_with_the_api_error_in_both_modules_and_signatures(ens_emulator, run_playbook):
    tasks = []
    for signature in SIGNATURES:
        wrong = dict(ens_emulator.module_args(signature), access_key_secret="not-the-secret")
        tasks.append(failing("images_" + signature, IMAGE_INFO, wrong))
        tasks.append(failing("exports_" + signature, EXPORT_INFO, wrong))
    results = run_playbook(play(tasks)).results
    for name, result in results.items():
        assert_api_failure(result, "SignatureDoesNotMatch")
        assert result["api_calls"] == 1 and result["retries"] == 0, name  # not retryable


def test_adhoc_failure_exit_code_and_result(ens_emulator, run_adhoc):
    args = dict(ens_emulator.module_args(), access_key_id="LTAIunknownKeyId")
    run = run_adhoc(EXPORT_INFO, args, expect_rc=2)
    assert run.status == "FAILED!"
    assert_api_failure(adhoc_result(run), "InvalidAccessKeyId.NotFound", http_status=404)


BAD_OPTIONS = [
    # (task name, module, bad options, words the message must contain)
    ("os_type", IMAGE_INFO, {"os_type": "plan9"}, ["os_type", "linux", "windows"]),
    ("compute_type", IMAGE_INFO, {"compute_type": ["ens_vm", "quantum"]}, ["compute_type", "ens_vm", "arm_vm", "bare_metal", "pcfarm"]),
    ("owner_alias", IMAGE_INFO, {"owner_alias": "nobody"}, ["owner_alias", "system", "self"]),
    ("name_regex", IMAGE_INFO, {"name_regex": "ubuntu_(22"}, ["name_regex", "regular expression"]),
    ("image_version", IMAGE_INFO, {"image_version": ">>22"}, ["image_version", ">=20.04,<24", "==, !=, <, <=, >, >="]),
    ("signature_version", IMAGE_INFO, {"signature_version": "v2"}, ["signature_version", "v3", "v1"]),
    ("latest", IMAGE_INFO, {"latest": "sometimes"}, ["latest", "bool"]),
    ("export_status", EXPORT_INFO, {"export_status": ["Done"]}, ["export_status", "Exporting", "Exported", "ExportError", "Unexported"]),
    ("page_size_0", EXPORT_INFO, {"page_size": 0}, ["page_size", "1", "50"]),
    ("page_size_51", EXPORT_INFO, {"page_size": 51, "page_number": 1}, ["page_size", "1", "50"]),
    ("page_number", EXPORT_INFO, {"page_number": 0}, ["page_number", "1 or more"]),
    ("export_regex", EXPORT_INFO, {"name_regex": "[web"}, ["name_regex", "regular expression"]),
]


def test_bad_option_values_fail_naming_the_option_and_accepted_values_without_calling_the_api(ens_emulator, run_playbook):
    connection = ens_emulator.module_args()
    tasks = [failing(name, module, dict(connection, **options)) for name, module, options, _words in BAD_OPTIONS]
    ens_emulator.reset_stats()
    results = run_playbook(play(tasks)).results
    for name, _module, _options, words in BAD_OPTIONS:
        result = results[name]
        assert result["failed"] is True, name
        for word in words:
            assert word in result["msg"], (name, word, result["msg"])
    assert ens_emulator.stats()["requests"] == {}


# --- check mode ---------------------------------------------------------------------


def test_check_mode_runs_the_query_and_changes_nothing(ens_emulator, run_playbook):
    connection = ens_emulator.module_args()
    tasks = [task("images", IMAGE_INFO, dict(connection, os_name=["debian"])),
             task("exports", EXPORT_INFO, dict(connection, export_status=["Exported"]))]
    results = run_playbook(play(tasks), extra_args=["--check"]).results
    for name in ("images", "exports"):
        assert_success(results[name])
        assert not results[name].get("skipped"), name
    assert results["images"]["images"] == expected_images(keep=lambda image: image["os_name"] == "debian")
    assert results["exports"]["images"] == expected_records(lambda record: record["image_export_status"] == "Exported")
