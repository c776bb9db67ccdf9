"""image_queries: options -> API parameters (pure), and the queries over a recording stand-in client."""

import pytest

from ansible_collections.alicloud.ens.plugins.module_utils.errors import EnsOptionError
from ansible_collections.alicloud.ens.plugins.module_utils.image_queries import (
    export_request_args,
    image_request_args,
    query_export_images,
    query_images,
)
from ansible_collections.alicloud.ens.plugins.module_utils.options import DictOptionReader


def image(image_id, version, os_name="ubuntu", compute_type="ens_vm", owner="system"):
    return {"image_id": image_id, "image_version": version, "os_name": os_name,
            "compute_type": compute_type, "image_owner_alias": owner}


def export_record(image_id, created, status="Exported", platform="centos", owner="self", name=None):
    return {"image_id": image_id, "image_name": name or image_id, "creation_time": created,
            "image_export_status": status, "platform": platform, "image_owner_alias": owner,
            "architecture": "x86_64"}


IMAGES = [
    image("ubuntu_22_04_x64_20G_alibase_20240220.vhd", "22.04"),
    image("centos_7_9_x64_20G_alibase_20230101.vhd", "7.9", os_name="centos"),
    image("ubuntu_20_04_x64_20G_alibase_20230101.vhd", "20.04"),
    image("centos_7_10_x64_20G_alibase_20220101.vhd", "7.10", os_name="CentOS", compute_type="arm_vm"),
    image("ubuntu_22_04_x64_20G_alibase_20231221.vhd", "22.04", owner="self"),
]

RECORDS = [
    export_record("m-3", "2024-02-01T00:00:00Z", status="Exporting"),
    export_record("m-1", "2023-01-01T00:00:00Z"),
    export_record("m-2", "2023-06-01T00:00:00Z", platform="ubuntu"),
]


class Counters:
    def __init__(self, api_calls, retries):
        self.api_calls = api_calls
        self.retries = retries


class RecordingClient:
    """Answers like ``EnsClient`` and records every call it gets."""

    def __init__(self, images=(), records=(), total_count=None):
        self.calls = []
        self.images = list(images)
        self.records = list(records)
        self.total_count = len(self.records) if total_count is None else total_count
        self.transport = Counters(api_calls=3, retries=1)

    def describe_image_infos(self, os_type=None):
        self.calls.append(("describe_image_infos", {"os_type": os_type}))
        return {"images": list(self.images), "request_id": "REQ-1"}

    def describe_export_image_info(self, **kwargs):
        self.calls.append(("describe_export_image_info", kwargs))
        return {"images": list(self.records), "total_count": self.total_count,
                "page_number": kwargs.get("page_number"), "page_size": kwargs.get("page_size"), "request_id": "REQ-2"}

    def list_export_images(self, **kwargs):
        self.calls.append(("list_export_images", kwargs))
        return {"images": list(self.records), "total_count": self.total_count}


def reader(**options):
    return DictOptionReader(options)


# --- pure builders ---------------------------------------------------------------


def test_image_request_args():
    assert image_request_args(reader()) == {}
    assert image_request_args(reader(os_type="windows")) == {"os_type": "windows"}


def test_bad_os_type_names_the_option_and_the_choices():
    with pytest.raises(EnsOptionError) as error:
        image_request_args(reader(os_type="plan9"))
    assert str(error.value).startswith("os_type:")
    assert "linux, windows" in str(error.value)


def test_listing_every_page_defaults_to_pages_of_50():
    assert export_request_args(reader()) == ("list_export_images", {"page_size": 50})


def test_listing_passes_api_parameters_and_concurrency():
    method, args = export_request_args(reader(image_id="m-1", image_name="web", page_size=20, max_concurrency=4,
                                              export_status=["Exported"]))
    assert (method, args) == ("list_export_images", {"image_id": "m-1", "image_name": "web", "page_size": 20,
                                                     "max_concurrency": 4})


def test_page_number_asks_for_that_page_only_with_the_apis_default_size():
    assert export_request_args(reader(page_number=3, max_concurrency=4)) == (
        "describe_export_image_info", {"page_number": 3, "page_size": 10})
    assert export_request_args(reader(page_number="2", page_size="50")) == (
        "describe_export_image_info", {"page_number": 2, "page_size": 50})


@pytest.mark.parametrize("page_size", [0, 51, -1, "many", True])
def test_page_size_outside_1_to_50_names_the_option(page_size):
    for options in ({"page_size": page_size}, {"page_size": page_size, "page_number": 1}):
        with pytest.raises(EnsOptionError) as error:
            export_request_args(reader(**options))
        assert error.value.option == "page_size"
        assert str(error.value).startswith("page_size:")


def test_page_size_bounds_are_accepted():
    assert export_request_args(reader(page_size=1))[1]["page_size"] == 1
    assert export_request_args(reader(page_size=50))[1]["page_size"] == 50


def test_page_number_below_one_names_the_option():
    with pytest.raises(EnsOptionError) as error:
        export_request_args(reader(page_number=0))
    assert error.value.option == "page_number"


# --- query_images ------------------------------------------------------------------


def test_query_images_orders_oldest_to_newest_and_reports_cost():
    client = RecordingClient(images=IMAGES)
    result = query_images(client, reader(os_type="linux"))
    assert client.calls == [("describe_image_infos", {"os_type": "linux"})]
    assert result["image_ids"] == [
        "centos_7_9_x64_20G_alibase_20230101.vhd",
        "centos_7_10_x64_20G_alibase_20220101.vhd",
        "ubuntu_20_04_x64_20G_alibase_20230101.vhd",
        "ubuntu_22_04_x64_20G_alibase_20231221.vhd",
        "ubuntu_22_04_x64_20G_alibase_20240220.vhd",
    ]
    assert [item["image_id"] for item in result["images"]] == result["image_ids"]
    assert (result["request_id"], result["api_calls"], result["retries"]) == ("REQ-1", 3, 1)


def test_query_images_filters_and_latest():
    client = RecordingClient(images=IMAGES)
    result = query_images(client, reader(os_name=["UBUNTU"], owner_alias="system", image_version=">=20,<23", latest=True))
    assert result["image_ids"] == ["ubuntu_22_04_x64_20G_alibase_20240220.vhd"]
    assert len(result["images"]) == 1


def test_query_images_terms_name_regex_and_compute_type():
    client = RecordingClient(images=IMAGES)
    assert query_images(client, reader(name_regex="^centos", compute_type=["arm_vm"]))["image_ids"] == [
        "centos_7_10_x64_20G_alibase_20220101.vhd"]
    assert query_images(client, reader(terms=["_20_04_", "7_9"]))["image_ids"] == [
        "centos_7_9_x64_20G_alibase_20230101.vhd", "ubuntu_20_04_x64_20G_alibase_20230101.vhd"]


def test_no_match_is_an_empty_list_even_with_latest():
    result = query_images(RecordingClient(images=IMAGES), reader(os_name=["plan9"], latest=True))
    assert result["images"] == [] and result["image_ids"] == []


@pytest.mark.parametrize("options, option", [({"name_regex": "("}, "name_regex"),
                                             ({"image_version": ">>1"}, "image_version")])
def test_bad_filters_fail_before_any_request(options, option):
    client = RecordingClient(images=IMAGES)
    with pytest.raises(EnsOptionError) as error:
        query_images(client, reader(**options))
    assert error.value.option == option
    assert client.calls == []


# --- query_export_images -------------------------------------------------------------


def test_query_export_images_lists_all_pages_in_creation_order():
    client = RecordingClient(records=RECORDS, total_count=3)
    result = query_export_images(client, reader(image_name="m"))
    assert client.calls == [("list_export_images", {"image_name": "m", "page_size": 50})]
    assert [record["image_id"] for record in result["images"]] == ["m-1", "m-2", "m-3"]
    assert (result["total_count"], result["api_calls"], result["retries"]) == (3, 3, 1)


def test_query_export_images_one_page_filters_and_latest():
    client = RecordingClient(records=RECORDS, total_count=13)
    result = query_export_images(client, reader(page_number=2, page_size=3, export_status=["Exported"], latest=True))
    assert client.calls == [("describe_export_image_info", {"page_number": 2, "page_size": 3})]
    assert [record["image_id"] for record in result["images"]] == ["m-2"]
    assert result["total_count"] == 13


def test_query_export_images_platform_ignores_case():
    result = query_export_images(RecordingClient(records=RECORDS), reader(platform=["Ubuntu"]))
    assert [record["image_id"] for record in result["images"]] == ["m-2"]


def test_bad_export_regex_fails_before_any_request():
    client = RecordingClient(records=RECORDS)
    with pytest.raises(EnsOptionError) as error:
        query_export_images(client, reader(name_regex="[unclosed"))
    assert error.value.option == "name_regex"
    assert client.calls == []
