"""Fault tolerance of the client against the emulator's injected faults.

Retryable faults recover and are counted; the wait honours x-acs-retry-after;
the deadline holds; listings stay exact with 30 % of calls failing; a listing
that changes underneath is listed again or fails clearly.
"""

import time

import pytest

from ansible_collections.alicloud.ens.plugins.module_utils.connection import build_client
from ansible_collections.alicloud.ens.plugins.module_utils.errors import EnsApiError
from ansible_collections.alicloud.ens.plugins.module_utils.options import DictOptionReader
from ansible_collections.alicloud.ens.plugins.module_utils.transport import Credentials, SignedTransport, StaticCredentials
from tests.emulator import catalogue
from tests.emulator.faults import FaultInjector, FaultSpec

SIGNATURE_VERSIONS = ("v3", "v1")
EXPORT = "DescribeExportImageInfo"
IMAGES = "DescribeImageInfos"
# Each (kind, extra emulator flags, client options) recovers by retrying.
RETRYABLE_FAULTS = [
    ("throttling", (), {}),
    ("unavailable", (), {}),
    ("internal", (), {}),
    ("reset", (), {}),
    ("slow", ("--slow-seconds", "3"), {"timeout": 1}),
    ("html502", (), {}),
]
# 1 - 0.9 * (1 - 1/9) * (1 - 1/8) = 0.3 of calls fail, a third each way.
THIRTY_PERCENT = ("--fault", "throttling:0.1", "--fault", "unavailable:0.1111", "--fault", "reset:0.125")


def client_for(emulator, signature_version="v3", **overrides):
    options = emulator.module_args(signature_version)
    options.update(overrides)
    return build_client(DictOptionReader(options))


def expected_export_ids(count, seed=catalogue.DEFAULT_SEED):
    return [raw["ImageId"] for raw in catalogue.listing_order(catalogue.export_records(count, seed))]


def export_ids(result):
    return [image["image_id"] for image in result["images"]]


class RecordingSleep:
    def __init__(self):
        self.calls = []

    def __call__(self, seconds):
        self.calls.append(seconds)
        time.sleep(seconds)


@pytest.mark.parametrize("signature_version", SIGNATURE_VERSIONS)
@pytest.mark.parametrize("kind, flags, options", RETRYABLE_FAULTS, ids=[fault[0] for fault in RETRYABLE_FAULTS])
def test_retryable_faults_recover_and_are_counted(start_emulator, kind, flags, options, signature_version):
    emulator = start_emulator("--fault", "%s:1:2" % kind, *flags)
    client = client_for(emulator, signature_version, **options)
    result = client.describe_image_infos()
    assert len(result["images"]) == len(catalogue.images_for_os_type(None))
    stats = emulator.stats()
    assert stats["faults"] == {kind: 2}
    assert stats["requests"][IMAGES] == 3
    assert (client.transport.api_calls, client.transport.retries) == (3, 2)


@pytest.mark.parametrize("kind, code, status", [
    ("unavailable", "ServiceUnavailable", 503),
    ("internal", "InternalError", 500),
    ("html502", "InvalidResponse", 502),
    ("reset", "ConnectionError", None),
])
def test_retries_end_at_max_retries_with_a_clear_error(start_emulator, kind, code, status):
    emulator = start_emulator("--fault", "%s:1" % kind)
    client = client_for(emulator, max_retries=3)
    with pytest.raises(EnsApiError) as caught:
        client.describe_image_infos()
    assert (caught.value.code, caught.value.http_status) == (code, status)
    assert emulator.stats()["requests"][IMAGES] == 4 == client.transport.api_calls
    if kind == "html502":
        assert "502 Bad Gateway" in caught.value.message
    if kind != "reset":
        assert caught.value.request_id or kind == "html502"


def test_timeouts_end_as_timeout_errors(start_emulator):
    emulator = start_emulator("--fault", "slow:1", "--slow-seconds", "3")
    client = client_for(emulator, max_retries=1, timeout=0.5)
    with pytest.raises(EnsApiError) as caught:
        client.describe_image_infos()
    assert caught.value.code == "Timeout"
    assert client.transport.api_calls == 2


def test_x_acs_retry_after_is_honoured(start_emulator):
    emulator = start_emulator("--fault", "throttling:1:1", "--retry-after", "1.5")
    sleep = RecordingSleep()
    transport = SignedTransport(emulator.url, StaticCredentials(Credentials(emulator.access_key_id, emulator.access_key_secret)),
                                ca_path=emulator.ca_path, sleep=sleep)
    started = time.monotonic()
    body = transport.call(IMAGES, "2017-11-10", {})
    elapsed = time.monotonic() - started
    assert body["Images"]["Image"]
    assert sleep.calls == [1.5]
    assert elapsed >= 1.5
    assert transport.retries == 1


@pytest.mark.parametrize("flags, options", [
    (("--fault", "throttling:1"), {"deadline": 2, "max_retries": 100}),
    (("--fault", "slow:1", "--slow-seconds", "10"), {"deadline": 1.5, "timeout": 8}),
], ids=["throttled-forever", "slower-than-deadline"])
def test_the_deadline_is_respected(start_emulator, flags, options):
    emulator = start_emulator(*flags)
    started = time.monotonic()
    client = client_for(emulator, **options)
    with pytest.raises(EnsApiError) as caught:
        client.describe_image_infos()
    elapsed = time.monotonic() - started
    assert caught.value.code == "DeadlineExceeded"
    assert "deadline" in caught.value.message
    assert elapsed < options["deadline"] + 0.5


@pytest.mark.parametrize("signature_version", SIGNATURE_VERSIONS)
def test_listing_is_exact_with_thirty_percent_of_calls_failing(start_emulator, signature_version):
    emulator = start_emulator("--export-images", "10000", "--seed", "7", *THIRTY_PERCENT)
    client = client_for(emulator, signature_version, max_concurrency=8, max_retries=10)
    result = client.list_export_images()
    assert result["total_count"] == 10000
    assert export_ids(result) == expected_export_ids(10000, seed=7)
    stats = emulator.stats()
    faults = stats["faults"]
    assert set(faults) == {"throttling", "unavailable", "reset"}
    # Every fault cost exactly one retry, and every request is accounted for.
    assert client.transport.retries == sum(faults.values())
    assert stats["requests"][EXPORT] == client.transport.api_calls == 200 + sum(faults.values())
    assert 0.2 < sum(faults.values()) / float(stats["requests"][EXPORT]) < 0.4
    assert stats["max_in_flight"][EXPORT] <= 8


def first_drift_request(probability, seed):
    """Which request (1-based) the emulator's seeded draw gives the single drift fault to."""
    injector = FaultInjector([FaultSpec("drift", probability, 1)], seed)
    for number in range(1, 10000):
        if injector.draw(EXPORT) == "drift":
            return number
    raise AssertionError("no drift drawn")


def test_total_count_drift_during_a_listing_lists_again(start_emulator):
    probability, seed = 0.02, 3
    drift_at = first_drift_request(probability, seed)
    assert 2 <= drift_at <= 100, "pick a seed whose drift hits mid-listing"
    emulator = start_emulator("--export-images", "5000", "--seed", str(seed), "--fault", "drift:%s:1" % probability)
    client = client_for(emulator, max_concurrency=4)
    result = client.list_export_images()
    assert result["total_count"] == 5001
    assert export_ids(result) == expected_export_ids(5001, seed)
    stats = emulator.stats()
    assert stats["faults"] == {"drift": 1}
    # The first listing was abandoned after the drift, then 101 pages were read afresh.
    assert stats["requests"][EXPORT] > 101


def test_a_listing_that_keeps_changing_fails_clearly(start_emulator):
    emulator = start_emulator("--export-images", "2000", "--fault", "drift:0.3")
    client = client_for(emulator, max_concurrency=4)
    with pytest.raises(EnsApiError) as caught:
        client.list_export_images()
    error = caught.value
    assert error.code == "ListingChanged"
    assert "3 attempts" in error.message and "TotalCount changed" in error.message
    # Bounded: three listings at most, each stopped early once the change shows.
    assert emulator.stats()["requests"][EXPORT] <= 3 * 40
