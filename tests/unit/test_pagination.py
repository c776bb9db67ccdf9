"""Unit tests of pagination: page arithmetic, putting pages together, AIMD, and the listing loop.

The listing runs against an in-memory fake transport (threads included), so
ordering, exactness, the concurrency bound and relisting are checked without a server.
"""

import threading
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.alicloud.ens.plugins.module_utils.ens_client import (
    ENS_API_VERSION,
    AdaptiveLimit,
    EnsClient,
    PageCall,
    ListingChanged,
    assemble_listing,
    check_page,
    expected_page_length,
    page_count,
)
from ansible_collections.alicloud.ens.plugins.module_utils.errors import EnsApiError, EnsOptionError


def record(index):
    return {"ImageId": "m-%05d" % index, "ImageName": "image-%d" % index, "CreationTime": "2024-01-01T00:00:00Z",
            "Architecture": "x86_64", "Platform": "Ubuntu", "ImageOwnerAlias": "self",
            "ImageExportStatus": "Exported", "ExportedImageURL": ""}


def page_body(records, page_number, page_size, total=None):
    start = (page_number - 1) * page_size
    return {"Images": {"Image": records[start:start + page_size]}, "PageNumber": page_number, "PageSize": page_size,
            "TotalCount": len(records) if total is None else total, "RequestId": "R-%d" % page_number}


# --- page arithmetic ---------------------------------------------------------------


@given(st.integers(min_value=0, max_value=5000), st.integers(min_value=1, max_value=50))
def test_pages_hold_every_record_exactly(total, page_size):
    pages = page_count(total, page_size)
    lengths = [expected_page_length(n, total, page_size) for n in range(1, pages + 1)]
    assert sum(lengths) == total
    assert all(0 <= length <= page_size for length in lengths)
    assert pages == 1 or lengths[-1] > 0


def test_page_count_examples():
    assert [page_count(t, 50) for t in (0, 1, 50, 51, 10000)] == [1, 1, 1, 2, 200]


# --- putting pages together -------------------------------------------------------------


def test_assemble_listing_returns_every_record_in_page_order():
    records = [record(i) for i in range(7)]
    bodies = [page_body(records, n, 3) for n in (1, 2, 3)]
    images = assemble_listing(bodies, 7, 3)
    assert [image["image_id"] for image in images] == ["m-%05d" % i for i in range(7)]
    assert images[0]["image_export_status"] == "Exported"


def test_a_page_with_another_total_count_is_a_change():
    records = [record(i) for i in range(7)]
    with pytest.raises(ListingChanged) as caught:
        check_page(2, page_body(records, 2, 3, total=8), 7, 3)
    assert caught.value.code == "ListingChanged" and "7" in caught.value.message and "8" in caught.value.message


def test_a_short_page_is_a_change():
    records = [record(i) for i in range(7)]
    body = page_body(records, 2, 3)
    body["Images"]["Image"].pop()
    with pytest.raises(ListingChanged):
        check_page(2, body, 7, 3)


def test_a_record_on_two_pages_is_a_change_not_a_silent_duplicate():
    records = [record(i) for i in range(6)]
    shifted = [record(0)] + records[:5]  # a record inserted at the front moves record 2 onto page 2
    bodies = [page_body(records, 1, 3), page_body(shifted, 2, 3)]
    with pytest.raises(ListingChanged) as caught:
        assemble_listing(bodies, 6, 3)
    assert "m-00002" in caught.value.message


def test_missing_total_count_is_invalid_response():
    with pytest.raises(EnsApiError) as caught:
        check_page(1, {"Images": {"Image": []}, "RequestId": "R"}, 0, 10)
    assert caught.value.code == "InvalidResponse"


# --- AIMD ------------------------------------------------------------------------------


def test_throttling_halves_the_limit_once_per_generation():
    limit = AdaptiveLimit(16)
    generation = limit.acquire()
    # Three requests of the same generation throttled: one cut.
    for _request in range(3):
        limit.throttled(generation)
    assert limit.limit == 8
    limit.throttled(limit.generation)
    assert limit.limit == 4


def test_limit_never_goes_below_one_and_grows_back_to_the_maximum_only():
    limit = AdaptiveLimit(4)
    for _request in range(10):
        limit.throttled(limit.generation)
    assert limit.limit == 1
    for _request in range(100):
        limit.succeeded()
    assert limit.limit == 4


def test_growth_is_additive_about_one_slot_per_window():
    limit = AdaptiveLimit(16)
    limit.throttled(limit.generation)
    limit.throttled(limit.generation)
    assert limit.limit == 4
    for _request in range(4):
        limit.succeeded()
    assert 4.5 < limit.limit < 5.5


def test_a_page_call_reports_throttled_retries_to_the_limit_and_other_retries_not():
    limit = AdaptiveLimit(16)

    def throttled_then_unavailable(on_retry):
        on_retry(EnsApiError("ServiceUnavailable", "busy", http_status=503), 0, 0.1)
        assert limit.limit == 16
        on_retry(EnsApiError("Throttling.Api", "slow down", http_status=400), 1, 0.5)
        assert limit.limit == 8
        on_retry(EnsApiError("Throttling.Api", "slow down", http_status=400), 2, 0.5)
        return "body"

    assert PageCall(limit).run(throttled_then_unavailable) == "body"
    # The retry after the first cut was sent in the new generation, so its throttling cut again.
    assert limit.limit == pytest.approx(4 + 1 / 4.0)
    assert limit.in_flight == 0


def test_acquire_blocks_above_the_limit():
    limit = AdaptiveLimit(2)
    limit.acquire()
    limit.acquire()
    entered = threading.Event()

    def third():
        limit.acquire()
        entered.set()

    thread = threading.Thread(target=third, daemon=True)
    thread.start()
    assert not entered.wait(0.2)
    limit.release()
    assert entered.wait(2)
    thread.join(2)
    assert limit.peak_in_flight == 2


# --- the listing loop against a fake transport -------------------------------------------


class FakeTransport:
    """Serves DescribeExportImageInfo from a list; counts calls and the most calls at once.

    ``throttle_pages``: pages whose first call reports a throttled attempt via
    ``on_retry`` (as the real transport does before its back-off).
    ``grow_after``: after this many calls, one record is added (TotalCount drift).
    ``fail_page``: page that raises a final error.
    """

    def __init__(self, records, throttle_pages=(), grow_after=None, grow_times=1, fail_page=None, delay=0.002):
        self.records = list(records)
        self.throttle_pages = set(throttle_pages)
        self.grow_after = grow_after
        self.grow_times = grow_times
        self.fail_page = fail_page
        self.delay = delay
        self.calls = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.lock = threading.Lock()

    def call(self, action, version, params, on_retry=None):
        assert (action, version) == ("DescribeExportImageInfo", ENS_API_VERSION)
        with self.lock:
            self.calls.append(dict(params))
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            if self.grow_after is not None and len(self.calls) > self.grow_after and self.grow_times > 0:
                self.grow_times -= 1
                self.grow_after += self.grow_after
                self.records.append(record(len(self.records)))
            records = list(self.records)
        try:
            time.sleep(self.delay)
            page = params["PageNumber"]
            if page == self.fail_page:
                raise EnsApiError("Forbidden.RAM", "no", http_status=403, action=action)
            if page in self.throttle_pages and on_retry is not None:
                self.throttle_pages.discard(page)
                on_retry(EnsApiError("Throttling.User", "slow down", http_status=400), 0, 0.0)
            return page_body(records, page, params["PageSize"])
        finally:
            with self.lock:
                self.in_flight -= 1


def image_ids(result):
    return [image["image_id"] for image in result["images"]]


@pytest.mark.parametrize("total, page_size", [(0, 50), (1, 50), (50, 50), (51, 50), (1234, 50), (97, 7)])
def test_listing_returns_every_record_once_in_order(total, page_size):
    transport = FakeTransport([record(i) for i in range(total)])
    result = EnsClient(transport, max_concurrency=8).list_export_images(page_size=page_size)
    assert result["total_count"] == total
    assert image_ids(result) == ["m-%05d" % i for i in range(total)]
    assert sorted(call["PageNumber"] for call in transport.calls) == list(range(1, page_count(total, page_size) + 1))


def test_listing_sends_the_filters_on_every_page():
    transport = FakeTransport([record(i) for i in range(120)])
    EnsClient(transport).list_export_images(image_id="m-1", image_name="web", page_size=50)
    assert all(call["ImageId"] == "m-1" and call["ImageName"] == "web" and call["PageSize"] == 50
               for call in transport.calls)


@pytest.mark.parametrize("max_concurrency", [1, 3, 16])
def test_listing_never_exceeds_max_concurrency(max_concurrency):
    transport = FakeTransport([record(i) for i in range(2000)], delay=0.005)
    EnsClient(transport, max_concurrency=32).list_export_images(max_concurrency=max_concurrency)
    assert transport.max_in_flight == max_concurrency


def test_throttling_cuts_the_concurrency_and_the_listing_stays_exact():
    transport = FakeTransport([record(i) for i in range(1500)], throttle_pages=range(2, 31), delay=0.005)
    result = EnsClient(transport, max_concurrency=16).list_export_images()
    assert image_ids(result) == ["m-%05d" % i for i in range(1500)]
    assert not transport.throttle_pages  # every throttled page was seen


def test_total_count_drift_lists_again():
    transport = FakeTransport([record(i) for i in range(500)], grow_after=3, grow_times=1)
    result = EnsClient(transport, max_concurrency=4).list_export_images()
    assert result["total_count"] == 501
    assert image_ids(result) == ["m-%05d" % i for i in range(501)]
    assert [call["PageNumber"] for call in transport.calls].count(1) == 2


def test_listing_that_keeps_changing_fails_clearly_after_bounded_attempts():
    transport = FakeTransport([record(i) for i in range(500)], grow_after=3, grow_times=100)
    with pytest.raises(EnsApiError) as caught:
        EnsClient(transport, max_concurrency=4).list_export_images()
    assert caught.value.code == "ListingChanged"
    assert "3 attempts" in caught.value.message and "TotalCount changed" in caught.value.message
    assert [call["PageNumber"] for call in transport.calls].count(1) == 3


def test_a_failed_page_fails_the_listing_and_stops_unsent_pages():
    transport = FakeTransport([record(i) for i in range(5000)], fail_page=3, delay=0.005)
    with pytest.raises(EnsApiError) as caught:
        EnsClient(transport, max_concurrency=2).list_export_images()
    assert caught.value.code == "Forbidden.RAM" and caught.value.http_status == 403
    assert len(transport.calls) < 20


def test_describe_export_image_info_reads_one_page():
    transport = FakeTransport([record(i) for i in range(25)])
    result = EnsClient(transport).describe_export_image_info(image_name="x", page_number=3, page_size=10)
    assert transport.calls == [{"ImageId": None, "ImageName": "x", "PageNumber": 3, "PageSize": 10}]
    assert result["total_count"] == 25 and result["page_number"] == 3 and result["page_size"] == 10
    assert [image["image_id"] for image in result["images"]] == ["m-%05d" % i for i in range(20, 25)]
    assert result["request_id"] == "R-3"


@pytest.mark.parametrize("page_size", [0, 51, "10", True])
def test_bad_page_size_names_the_option(page_size):
    with pytest.raises(EnsOptionError) as caught:
        EnsClient(FakeTransport([])).list_export_images(page_size=page_size)
    assert str(caught.value).startswith("page_size:")


@pytest.mark.parametrize("value", [0, -1, "8", 2.5])
def test_bad_max_concurrency_names_the_option(value):
    with pytest.raises(EnsOptionError) as caught:
        EnsClient(FakeTransport([]), max_concurrency=value)
    assert str(caught.value).startswith("max_concurrency:")
