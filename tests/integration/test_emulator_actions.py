"""The emulator's two ENS actions over real HTTPS: shapes, catalogue, pagination, parameters, stats."""

import re
import threading

import pytest

from tests.emulator import catalogue
from tests.emulator.raw_client import call, call_v1, call_v3

SIGNATURES = ("v1", "v3")
REQUEST_ID = re.compile(r"^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$")


def ok_json(response):
    assert response.status_code == 200, response.text
    return response.json()


def error_of(response):
    body = response.json()
    assert set(body) == {"RequestId", "HostId", "Code", "Message", "Recommend"}
    return response.status_code, body["Code"]


def list_all(emulator, signature, page_size, **params):
    """Every page of DescribeExportImageInfo, as ``(records, [TotalCount of each page])``."""
    records, totals, page_number = [], [], 1
    while True:
        body = ok_json(call(signature, emulator, "DescribeExportImageInfo",
                            dict(params, PageNumber=str(page_number), PageSize=str(page_size))))
        totals.append(body["TotalCount"])
        records.extend(body["Images"]["Image"])
        if page_number * page_size >= body["TotalCount"]:
            return records, totals
        page_number += 1


# --- DescribeImageInfos -------------------------------------------------------------


@pytest.mark.parametrize("signature", SIGNATURES)
@pytest.mark.parametrize("os_type", [None, "linux", "windows"])
def test_describe_image_infos_returns_the_catalogue(ens_emulator, signature, os_type):
    params = {"OsType": os_type} if os_type else {}
    body = ok_json(call(signature, ens_emulator, "DescribeImageInfos", params))
    assert body["Code"] == 0
    assert body["Images"]["Image"] == catalogue.images_for_os_type(os_type)
    assert REQUEST_ID.match(body["RequestId"])


def test_describe_image_infos_has_the_seed_shape(ens_emulator):
    body = ok_json(call_v3(ens_emulator, "DescribeImageInfos"))
    assert set(body) == {"Code", "Images", "RequestId"}
    assert isinstance(body["Code"], int)
    for image in body["Images"]["Image"]:
        mappings = image.pop("DiskDeviceMappings")["DiskDeviceMapping"]
        assert all(isinstance(value, str) for value in image.values()), image
        assert mappings and all(set(disk) == {"Type", "Size", "Format", "imageId"} for disk in mappings)
        assert all(isinstance(value, str) for disk in mappings for value in disk.values())


def test_get_is_accepted_as_older_sdks_send_it(ens_emulator):
    body = ok_json(call_v1(ens_emulator, "DescribeImageInfos", {"OsType": "windows"}, method="GET"))
    assert body["Images"]["Image"] == catalogue.images_for_os_type("windows")


def test_each_response_has_a_fresh_request_id(ens_emulator):
    first = ok_json(call_v3(ens_emulator, "DescribeImageInfos"))["RequestId"]
    second = ok_json(call_v3(ens_emulator, "DescribeImageInfos"))["RequestId"]
    assert first != second


@pytest.mark.parametrize("os_type", ["Linux", "macos", "linux,windows"])
def test_unknown_os_type_is_refused(ens_emulator, os_type):
    assert error_of(call_v3(ens_emulator, "DescribeImageInfos", {"OsType": os_type})) == (400, "InvalidParameter.OsType")


def test_catalogue_is_realistic():
    images = catalogue.all_images()
    ids = [image["ImageId"] for image in images]
    versions = set((image["OSName"], image["ImageVersion"]) for image in images)
    assert len(ids) == len(set(ids))
    assert {("centos", "7.9"), ("debian", "9.13"), ("debian", "12.2"), ("ubuntu", "22.04"), ("ubuntu", "24.04"),
            ("windows", "2022")} <= versions
    assert {"ens_vm", "arm_vm", "bare_metal", "pcfarm"} == set(image["ComputeType"] for image in images)
    assert [image["ImageId"] for image in images if image["ImageOwnerAlias"] == "self"] == [catalogue.CUSTOM_IMAGE_ID]
    ubuntu_2204 = [image_id for image_id in ids if image_id.startswith("ubuntu_22_04_x64_20G_alibase_")]
    assert len(set(re.findall(r"20[0-9]{6}", " ".join(ubuntu_2204)))) == 2


# --- DescribeExportImageInfo --------------------------------------------------------


def test_export_defaults_to_page_one_of_ten(ens_emulator):
    body = ok_json(call_v3(ens_emulator, "DescribeExportImageInfo"))
    expected = catalogue.listing_order(catalogue.export_records())
    assert (body["PageNumber"], body["PageSize"], body["TotalCount"]) == (1, 10, len(expected))
    assert body["Images"]["Image"] == expected[:10]


@pytest.mark.parametrize("signature", SIGNATURES)
@pytest.mark.parametrize("page_size", [1, 3, 10, 13, 50])
def test_pages_hold_every_record_exactly_once(ens_emulator, signature, page_size):
    records, totals = list_all(ens_emulator, signature, page_size)
    expected = catalogue.listing_order(catalogue.export_records())
    assert records == expected
    assert set(totals) == {len(expected)}


def test_export_record_shape(ens_emulator):
    body = ok_json(call_v3(ens_emulator, "DescribeExportImageInfo", {"PageSize": "50"}))
    assert all(isinstance(body[name], int) for name in ("PageNumber", "PageSize", "TotalCount"))
    for record in body["Images"]["Image"]:
        assert set(record) == {"Architecture", "CreationTime", "ExportedImageURL", "ImageExportStatus", "ImageId",
                               "ImageName", "ImageOwnerAlias", "Platform"}
        assert record["ImageExportStatus"] in catalogue.EXPORT_STATUSES
        assert record["ImageOwnerAlias"] in ("system", "self")
        assert (record["ExportedImageURL"] != "") == (record["ImageExportStatus"] == "Exported")
        assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", record["CreationTime"])


def test_generated_records_are_deterministic_and_distinct_in_time():
    records = catalogue.export_records(500, seed=3)
    times = [record["CreationTime"] for record in records]
    assert times == sorted(set(times))
    assert len(set(record["ImageId"] for record in records)) == 500
    assert records == catalogue.export_records(500, seed=3)
    assert records != catalogue.export_records(500, seed=4)


def test_export_images_and_seed_flags(start_emulator):
    emulator = start_emulator("--export-images", "137", "--seed", "7")
    records, totals = list_all(emulator, "v3", 50)
    assert totals == [137, 137, 137]
    assert records == catalogue.listing_order(catalogue.export_records(137, seed=7))


def test_page_past_the_end_is_empty(ens_emulator):
    body = ok_json(call_v3(ens_emulator, "DescribeExportImageInfo", {"PageNumber": "9", "PageSize": "5"}))
    assert body["Images"]["Image"] == [] and body["TotalCount"] == len(catalogue.export_records())


@pytest.mark.parametrize("name", ["ImageId", "ImageName"])
def test_export_filters_match_exactly(ens_emulator, name):
    wanted = catalogue.export_records()[4]
    body = ok_json(call_v1(ens_emulator, "DescribeExportImageInfo", {name: wanted[name]}))
    assert body["Images"]["Image"] == [wanted] and body["TotalCount"] == 1
    body = ok_json(call_v1(ens_emulator, "DescribeExportImageInfo", {name: wanted[name][:-1]}))
    assert body["Images"]["Image"] == [] and body["TotalCount"] == 0


@pytest.mark.parametrize("params, code", [
    ({"PageSize": "51"}, "InvalidParameter.PageSize"),
    ({"PageSize": "0"}, "InvalidParameter.PageSize"),
    ({"PageSize": "ten"}, "InvalidParameter.PageSize"),
    ({"PageNumber": "0"}, "InvalidParameter.PageNumber"),
    ({"PageNumber": "-2"}, "InvalidParameter.PageNumber"),
])
def test_bad_paging_parameters_are_refused(ens_emulator, params, code):
    assert error_of(call_v3(ens_emulator, "DescribeExportImageInfo", params)) == (400, code)


def test_page_size_fifty_is_the_maximum_allowed(ens_emulator):
    assert ok_json(call_v3(ens_emulator, "DescribeExportImageInfo", {"PageSize": "50"}))["PageSize"] == 50


# --- stats ------------------------------------------------------------------------------


def test_stats_count_requests_errors_and_signatures(start_emulator):
    emulator = start_emulator()
    for _call in range(3):
        ok_json(call_v1(emulator, "DescribeImageInfos"))
    ok_json(call_v3(emulator, "DescribeExportImageInfo"))
    call_v3(emulator, "DescribeExportImageInfo", {"PageSize": "51"})
    call_v3(emulator, "DescribeImageInfos", access_key_secret="wrong")
    stats = emulator.stats()
    assert stats["requests"] == {"DescribeImageInfos": 4, "DescribeExportImageInfo": 2}
    assert stats["errors"] == {"InvalidParameter.PageSize": 1, "SignatureDoesNotMatch": 1}
    assert stats["signatures"] == {"v1": 3, "v3": 2}
    assert stats["max_in_flight"] == {"DescribeImageInfos": 1, "DescribeExportImageInfo": 1}
    assert stats["faults"] == {}
    emulator.reset_stats()
    assert emulator.stats() == {"requests": {}, "max_in_flight": {}, "faults": {}, "errors": {}, "signatures": {}}


def test_max_in_flight_counts_concurrent_requests(start_emulator):
    emulator = start_emulator("--latency-ms", "400")
    barrier = threading.Barrier(4)
    statuses = []

    def one_call():
        barrier.wait()
        statuses.append(call_v3(emulator, "DescribeExportImageInfo").status_code)

    threads = [threading.Thread(target=one_call) for _thread in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 4
    assert emulator.stats()["max_in_flight"] == {"DescribeExportImageInfo": 4}
