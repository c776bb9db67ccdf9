"""Normalisation against the sample responses of the two API pages (tests/unit/fixtures)."""

import json
from pathlib import Path

import pytest

from ansible_collections.alicloud.ens.plugins.module_utils.normalize import (
    camel_to_snake,
    export_images_from_response,
    images_from_response,
    normalize_export_image,
    normalize_image,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def load_fixture(name):
    with open(str(FIXTURES / name), encoding="utf-8") as handle:
        return json.load(handle)


@pytest.mark.parametrize("name, expected", [
    ("OSName", "os_name"),
    ("OSType", "os_type"),
    ("ExportedImageURL", "exported_image_url"),
    ("imageId", "image_id"),
    ("ImageId", "image_id"),
    ("RequestId", "request_id"),
    ("ImageOwnerAlias", "image_owner_alias"),
    ("DiskDeviceMappings", "disk_device_mappings"),
    ("TotalCount", "total_count"),
    ("Ipv6Address", "ipv6_address"),
    ("Type", "type"),
    ("already_snake", "already_snake"),
])
def test_camel_to_snake(name, expected):
    assert camel_to_snake(name) == expected


def test_describe_image_infos_sample():
    images = images_from_response(load_fixture("describe_image_infos.json"))
    assert images == [{
        "description": "centos_6_08_64_20G_alibase_2017****",
        "image_id": "centos_6_08_64_20G_alibase_2017****",
        "image_size": "20",
        "image_version": "6.8",
        "os_name": "centos",
        "os_type": "linux",
        "compute_type": "ens_vm",
        "image_owner_alias": None,
        "region_id": "cn-wulanchabu",
        "disk_device_mappings": [{
            "type": "Data",
            "size": "100",
            "format": "Image format,Value\nraw\nqcow2",
            "image_id": "i-test",
        }],
    }]


def test_describe_export_image_info_sample():
    records = export_images_from_response(load_fixture("describe_export_image_info.json"))
    assert records == [{
        "architecture": "x86_64",
        "creation_time": "2017-12-08T12:10:03Z",
        "exported_image_url": "https://user_defined_bucket.oss-cn-beijing.aliyuncs.com/m-xxxxxxxxx1.qcow2",
        "image_export_status": "Exported",
        "image_id": "m-xxxxxxxxx1",
        "image_name": "m-xxxxxxxxx1",
        "image_owner_alias": "system",
        "platform": "centos",
    }]


def test_values_stay_as_sent():
    image = normalize_image({"ImageId": "a", "ImageSize": "20", "Extra": 7, "DiskDeviceMappings": None})
    assert image["image_size"] == "20"
    assert image["extra"] == 7
    assert image["disk_device_mappings"] == []


def test_documented_keys_are_always_present():
    image = normalize_image({"ImageId": "a"})
    assert set(image) == {"image_id", "description", "image_size", "image_version", "os_name", "os_type",
                          "compute_type", "image_owner_alias", "region_id", "disk_device_mappings"}
    record = normalize_export_image({})
    assert set(record) == {"architecture", "creation_time", "exported_image_url", "image_export_status",
                           "image_id", "image_name", "image_owner_alias", "platform"}
    assert all(value is None for value in record.values())


def test_mapping_without_fields_gets_every_key():
    image = normalize_image({"DiskDeviceMappings": {"DiskDeviceMapping": [{"Type": "System"}]}})
    assert image["disk_device_mappings"] == [{"type": "System", "size": None, "format": None, "image_id": None}]


@pytest.mark.parametrize("body", [
    None,
    {},
    {"Images": None},
    {"Images": {}},
    {"Images": {"Image": None}},
    {"Images": {"Image": []}},
    {"RequestId": "r", "Code": 0},
])
def test_missing_containers_give_no_images(body):
    assert images_from_response(body) == []
    assert export_images_from_response(body) == []


def test_single_item_and_bare_list_containers():
    single = {"Images": {"Image": {"ImageId": "one"}}}
    bare = {"Images": [{"ImageId": "one"}]}
    assert [image["image_id"] for image in images_from_response(single)] == ["one"]
    assert [image["image_id"] for image in images_from_response(bare)] == ["one"]
    mapping = normalize_image({"DiskDeviceMappings": {"DiskDeviceMapping": {"Type": "Data"}}})
    assert [item["type"] for item in mapping["disk_device_mappings"]] == ["Data"]


def test_order_is_kept():
    body = {"Images": {"Image": [{"ImageId": "b"}, {"ImageId": "a"}, {"ImageId": "c"}]}}
    assert [image["image_id"] for image in images_from_response(body)] == ["b", "a", "c"]


def test_input_is_not_modified():
    raw = load_fixture("describe_image_infos.json")
    before = json.dumps(raw, sort_keys=True)
    images_from_response(raw)
    assert json.dumps(raw, sort_keys=True) == before
