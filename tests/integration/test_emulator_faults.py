"""Fault injection and latency: each kind at probability 1 with a LIMIT, so every test is deterministic."""

import time

import pytest
import requests

from tests.emulator import catalogue
from tests.emulator.faults import FaultSpec, parse_fault_spec
from tests.emulator.raw_client import STS_VERSION, call_v1, call_v3, send, v3_headers

SIGNATURES = ("v1", "v3")


def status_and_code(response):
    return response.status_code, response.json()["Code"]


@pytest.mark.parametrize("kind, status, code", [
    ("throttling", 400, "Throttling.User"),
    ("unavailable", 503, "ServiceUnavailable"),
    ("internal", 500, "InternalError"),
])
def test_error_faults_fire_limit_times(start_emulator, kind, status, code):
    emulator = start_emulator("--fault", "%s:1:2" % kind)
    outcomes = [call_v3(emulator, "DescribeImageInfos").status_code for _call in range(3)]
    assert outcomes == [status, status, 200]
    stats = emulator.stats()
    assert stats["faults"] == {kind: 2}
    assert stats["errors"] == {code: 2}
    first = call_v1(start_emulator("--fault", "%s:1:1" % kind), "DescribeExportImageInfo")
    assert status_and_code(first) == (status, code)
    assert set(first.json()) == {"RequestId", "HostId", "Code", "Message", "Recommend"}


def test_throttling_carries_retry_after_when_asked(start_emulator):
    with_header = call_v3(start_emulator("--fault", "throttling:1:1", "--retry-after", "3"), "DescribeImageInfos")
    assert status_and_code(with_header) == (400, "Throttling.User")
    assert with_header.headers["x-acs-retry-after"] == "3"
    without = call_v3(start_emulator("--fault", "throttling:1:1"), "DescribeImageInfos")
    assert status_and_code(without) == (400, "Throttling.User")
    assert "x-acs-retry-after" not in without.headers


@pytest.mark.parametrize("signature", SIGNATURES)
def test_reset_closes_the_connection_without_an_answer(start_emulator, signature):
    emulator = start_emulator("--fault", "reset:1:1")
    caller = call_v1 if signature == "v1" else call_v3
    with pytest.raises(requests.ConnectionError):
        caller(emulator, "DescribeExportImageInfo")
    assert caller(emulator, "DescribeExportImageInfo").status_code == 200
    assert emulator.stats()["faults"] == {"reset": 1}


def test_slow_answers_after_slow_seconds(start_emulator):
    emulator = start_emulator("--fault", "slow:1:2", "--slow-seconds", "1.5")
    started = time.monotonic()
    assert call_v3(emulator, "DescribeImageInfos").status_code == 200
    assert time.monotonic() - started >= 1.5
    headers = v3_headers(emulator, "DescribeImageInfos")
    with pytest.raises(requests.Timeout):
        requests.post(emulator.url + "/", headers=headers, verify=emulator.ca_path, timeout=0.5)
    started = time.monotonic()
    assert call_v3(emulator, "DescribeImageInfos").status_code == 200
    assert time.monotonic() - started < 1.5
    assert emulator.stats()["faults"] == {"slow": 2}


def test_html502_is_not_json(start_emulator):
    emulator = start_emulator("--fault", "html502:1:1")
    response = call_v3(emulator, "DescribeExportImageInfo")
    assert response.status_code == 502
    assert response.headers["Content-Type"].startswith("text/html")
    assert response.text.startswith("<html>") and "502 Bad Gateway" in response.text
    assert call_v3(emulator, "DescribeExportImageInfo").status_code == 200


def test_drift_adds_a_record_between_calls(start_emulator):
    emulator = start_emulator("--fault", "drift:1:2", "--seed", "5")
    assert call_v3(emulator, "DescribeImageInfos").status_code == 200
    totals, first_pages = [], []
    for _listing in range(3):
        body = call_v3(emulator, "DescribeExportImageInfo", {"PageSize": "50"}).json()
        totals.append(body["TotalCount"])
        first_pages.append(body["Images"]["Image"])
    assert totals == [14, 15, 15]
    expected = catalogue.listing_order(catalogue.export_records(15, seed=5))
    assert first_pages[-1] == expected
    assert expected[0] == catalogue.export_record(14, seed=5)
    assert emulator.stats()["faults"] == {"drift": 2}


def test_drift_shifts_every_later_page_by_one(start_emulator):
    """Over HTTPS, pages of 50 of 120 records with a drift on each of the first 3 requests."""
    emulator = start_emulator("--fault", "drift:1:3", "--seed", "5", "--export-images", "120")
    bodies = [call_v3(emulator, "DescribeExportImageInfo", {"PageSize": "50", "PageNumber": str(number)}).json()
              for number in (1, 2, 3, 1, 2, 3)]
    for index, body in enumerate(bodies):
        count = 120 + min(index + 1, 3)
        listing = catalogue.listing_order(catalogue.export_records(count, seed=5))
        assert body["TotalCount"] == count
        assert body["Images"]["Image"] == catalogue.page_of(listing, body["PageNumber"], 50)
    records = [record for body in bodies[3:] for record in body["Images"]["Image"]]
    assert len(set(record["ImageId"] for record in records)) == len(records) == 123
    assert emulator.stats()["faults"] == {"drift": 3}


def test_faults_come_after_signature_verification(start_emulator):
    emulator = start_emulator("--fault", "unavailable:1")
    refused = call_v3(emulator, "DescribeImageInfos", access_key_secret="wrong")
    assert status_and_code(refused) == (400, "SignatureDoesNotMatch")
    assert emulator.stats()["faults"] == {}
    assert status_and_code(call_v3(emulator, "DescribeImageInfos")) == (503, "ServiceUnavailable")


def test_faults_spare_sts_and_control_paths(start_emulator):
    emulator = start_emulator("--fault", "internal:1", "--fault", "reset:1")
    params = {"RoleArn": "acs:ram::123456:role/reader", "RoleSessionName": "faults"}
    assert call_v1(emulator, "AssumeRole", params, version=STS_VERSION).status_code == 200
    assert emulator.stats()["faults"] == {}


def test_first_listed_fault_wins_until_its_limit(start_emulator):
    emulator = start_emulator("--fault", "throttling:1:1", "--fault", "internal:1:1")
    outcomes = [call_v3(emulator, "DescribeImageInfos").status_code for _call in range(3)]
    assert outcomes == [400, 500, 200]


def test_probability_zero_never_fires(start_emulator):
    emulator = start_emulator("--fault", "internal:0")
    assert [call_v3(emulator, "DescribeImageInfos").status_code for _call in range(5)] == [200] * 5


def outcomes_with_seed(start_emulator, seed):
    emulator = start_emulator("--fault", "unavailable:0.5", "--seed", str(seed))
    return [call_v3(emulator, "DescribeImageInfos").status_code for _call in range(16)]


def test_seed_makes_fault_draws_reproducible(start_emulator):
    first = outcomes_with_seed(start_emulator, 42)
    assert set(first) == {200, 503}
    assert outcomes_with_seed(start_emulator, 42) == first
    assert outcomes_with_seed(start_emulator, 43) != first


def test_latency_delays_api_responses(start_emulator):
    emulator = start_emulator("--latency-ms", "400")
    started = time.monotonic()
    assert call_v3(emulator, "DescribeImageInfos").status_code == 200
    assert time.monotonic() - started >= 0.4


@pytest.mark.parametrize("text, expected", [
    ("throttling:0.3", FaultSpec("throttling", 0.3, None)),
    ("reset:1:2", FaultSpec("reset", 1.0, 2)),
    ("drift:0:0", FaultSpec("drift", 0.0, 0)),
])
def test_parse_fault_spec(text, expected):
    assert parse_fault_spec(text) == expected


@pytest.mark.parametrize("text", ["throttling", "meteor:0.5", "slow:1.5", "slow:-0.1", "slow:x", "slow:1:two",
                                  "slow:1:-1", "slow:1:2:3"])
def test_parse_fault_spec_refuses(text):
    with pytest.raises(ValueError):
        parse_fault_spec(text)


def test_bad_fault_flag_stops_the_emulator_with_a_clear_error(start_emulator):
    with pytest.raises(RuntimeError) as raised:
        start_emulator("--fault", "meteor:0.5")
    assert "KIND must be one of" in str(raised.value)


def test_unsigned_garbage_gets_an_api_error_not_a_crash(ens_emulator):
    response = send(ens_emulator, "POST", query={"Action": "DescribeImageInfos"})
    assert response.status_code == 400
    assert response.json()["Code"].startswith("Missing")
