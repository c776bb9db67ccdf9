# -*- coding: utf-8 -*-
# Copyright (c) alicloud.ens contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ENS client: the two ENS actions over a ``SignedTransport``, and concurrent pagination.

``list_export_images`` reads the first page for ``TotalCount``, then fetches
the other pages at the same time, at most ``max_concurrency`` at once. The
limit adapts the way TCP does (AIMD): throttling halves it, each page that
succeeds grows it back by a fraction of a slot. The pages are put together
in page order and checked: every record exactly once, as many as
``TotalCount`` says. A listing that changed underneath (``TotalCount`` moved,
a record shifted onto two pages) is listed again, a bounded number of times,
and then fails with code ``ListingChanged``: never a short or doubled list.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.alicloud.ens.plugins.module_utils.errors import EnsApiError, EnsOptionError
from ansible_collections.alicloud.ens.plugins.module_utils.normalize import (
    export_images_from_response,
    images_from_response,
    normalize_export_image,
    raw_images,
)
from ansible_collections.alicloud.ens.plugins.module_utils.retry_policy import is_throttling

ENS_API_VERSION = "2017-11-10"
DESCRIBE_IMAGE_INFOS = "DescribeImageInfos"
DESCRIBE_EXPORT_IMAGE_INFO = "DescribeExportImageInfo"
MAX_PAGE_SIZE = 50
# Chosen from measurements against the emulator (docs/performance.md).
DEFAULT_MAX_CONCURRENCY = 32
LISTING_ATTEMPTS = 3


class ListingChanged(EnsApiError):
    """The listing changed while its pages were being read."""

    def __init__(self, message, action=DESCRIBE_EXPORT_IMAGE_INFO):
        super(ListingChanged, self).__init__("ListingChanged", message, action=action)


# ---------------------------------------------------------------------------
# Pure parts: pages and how they fit together


def total_count_of(body):
    """``TotalCount`` of a DescribeExportImageInfo body as an integer; ``InvalidResponse`` when missing."""
    try:
        return int(body["TotalCount"])
    except (KeyError, TypeError, ValueError):
        raise EnsApiError("InvalidResponse", "the answer has no integer TotalCount", request_id=body.get("RequestId"),
                          action=DESCRIBE_EXPORT_IMAGE_INFO)


def page_count(total_count, page_size):
    """How many pages hold ``total_count`` records (at least one: the first page is always read)."""
    return max(1, -(-total_count // page_size))


def expected_page_length(page_number, total_count, page_size):
    """How many records page ``page_number`` holds when the listing has ``total_count`` records."""
    before = (page_number - 1) * page_size
    return max(0, min(page_size, total_count - before))


def export_params(image_id=None, image_name=None, page_number=1, page_size=10):
    return {"ImageId": image_id, "ImageName": image_name, "PageNumber": page_number, "PageSize": page_size}


def check_page(page_number, body, total_count, page_size):
    """The raw records of one page, or ``ListingChanged`` when it does not fit a listing of ``total_count``."""
    page_total = total_count_of(body)
    if page_total != total_count:
        raise ListingChanged("TotalCount changed from %d to %d while the pages were read" % (total_count, page_total))
    records = raw_images(body)
    expected = expected_page_length(page_number, total_count, page_size)
    if len(records) != expected:
        raise ListingChanged("page %d held %d records instead of %d" % (page_number, len(records), expected))
    return records


def assemble_listing(bodies, total_count, page_size):
    """Every record of ``bodies`` (pages 1..n, in order), normalised, each exactly once.

    A record on two pages means the listing shifted under the reader, so a
    record may be missing elsewhere: that is ``ListingChanged`` too.
    """
    records = []
    seen = set()
    for page_number, body in enumerate(bodies, start=1):
        for raw in check_page(page_number, body, total_count, page_size):
            image_id = raw.get("ImageId")
            if image_id in seen:
                raise ListingChanged("image %s came back twice (on page %d and an earlier one)" % (image_id, page_number))
            seen.add(image_id)
            records.append(normalize_export_image(raw))
    if len(records) != total_count:
        raise ListingChanged("%d records read but TotalCount is %d" % (len(records), total_count))
    return records


def validate_page_size(page_size):
    if not isinstance(page_size, int) or isinstance(page_size, bool) or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise EnsOptionError("page_size", "must be an integer from 1 to %d, got %r" % (MAX_PAGE_SIZE, page_size))
    return page_size


def validate_max_concurrency(max_concurrency):
    if not isinstance(max_concurrency, int) or isinstance(max_concurrency, bool) or max_concurrency < 1:
        raise EnsOptionError("max_concurrency", "must be an integer of at least 1, got %r" % (max_concurrency,))
    return max_concurrency


# ---------------------------------------------------------------------------
# Adaptive concurrency


class AdaptiveLimit:
    """At most ``limit`` callers inside at once; AIMD: halve on throttling, grow by ``1/limit`` per success.

    A cut happens at most once per generation: only a request sent after the
    last cut can cause the next one, so a burst of throttled answers to
    requests sent at the old limit halves it once, not down to one.
    """

    def __init__(self, maximum, minimum=1):
        self.maximum = maximum
        self.minimum = minimum
        self.limit = float(maximum)
        self.generation = 0
        self.in_flight = 0
        self.peak_in_flight = 0
        self._condition = threading.Condition()

    def acquire(self):
        """Wait for a free slot; returns the generation the caller's request is sent in."""
        with self._condition:
            while self.in_flight >= int(self.limit):
                self._condition.wait()
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
            return self.generation

    def release(self):
        with self._condition:
            self.in_flight -= 1
            self._condition.notify()

    def throttled(self, generation):
        """A request sent in ``generation`` was throttled; returns the generation of its retry."""
        with self._condition:
            if generation == self.generation:
                self.limit = max(float(self.minimum), self.limit / 2)
                self.generation += 1
            return self.generation

    def succeeded(self):
        with self._condition:
            before = int(self.limit)
            self.limit = min(float(self.maximum), self.limit + 1.0 / self.limit)
            if int(self.limit) > before:
                self._condition.notify_all()


class PageCall:
    """One page request under an ``AdaptiveLimit``: holds a slot, reports throttling to the limit."""

    def __init__(self, limit):
        self._limit = limit
        self.generation = None

    def on_retry(self, error, attempt, delay):  # pylint: disable=unused-argument
        if is_throttling(error.code):
            self.generation = self._limit.throttled(self.generation)

    def run(self, call):
        self.generation = self._limit.acquire()
        try:
            result = call(self.on_retry)
        finally:
            self._limit.release()
        self._limit.succeeded()
        return result


# ---------------------------------------------------------------------------
# The client


class EnsClient:
    """The ENS actions this collection uses, over one ``SignedTransport``."""

    def __init__(self, transport, max_concurrency=DEFAULT_MAX_CONCURRENCY, listing_attempts=LISTING_ATTEMPTS):
        self.transport = transport
        self.max_concurrency = validate_max_concurrency(max_concurrency)
        self.listing_attempts = listing_attempts

    def describe_image_infos(self, os_type=None):
        body = self.transport.call(DESCRIBE_IMAGE_INFOS, ENS_API_VERSION, {"OsType": os_type})
        return {"images": images_from_response(body), "request_id": body.get("RequestId")}

    def describe_export_image_info(self, image_id=None, image_name=None, page_number=1, page_size=10):
        body = self._export_page(export_params(image_id, image_name, page_number, validate_page_size(page_size)))
        return {
            "images": export_images_from_response(body),
            "total_count": total_count_of(body),
            "page_number": body.get("PageNumber", page_number),
            "page_size": body.get("PageSize", page_size),
            "request_id": body.get("RequestId"),
        }

    def list_export_images(self, image_id=None, image_name=None, page_size=MAX_PAGE_SIZE, max_concurrency=None):
        """``{'images', 'total_count'}``: every record exactly once, in page order."""
        validate_page_size(page_size)
        concurrency = validate_max_concurrency(self.max_concurrency if max_concurrency is None else max_concurrency)
        changes = []
        for dummy in range(self.listing_attempts):
            try:
                return self._list_once(image_id, image_name, page_size, concurrency)
            except ListingChanged as change:
                changes.append(change.message)
        raise ListingChanged("the export image list kept changing while it was read (%d attempts: %s); try again later"
                             % (len(changes), "; ".join(changes)))

    def _export_page(self, params, on_retry=None):
        return self.transport.call(DESCRIBE_EXPORT_IMAGE_INFO, ENS_API_VERSION, params, on_retry=on_retry)

    def _list_once(self, image_id, image_name, page_size, concurrency):
        first = self._export_page(export_params(image_id, image_name, 1, page_size))
        total = total_count_of(first)
        check_page(1, first, total, page_size)
        pages = range(2, page_count(total, page_size) + 1)
        rest = self._fetch_pages(image_id, image_name, page_size, total, pages, concurrency)
        return {"images": assemble_listing([first] + rest, total, page_size), "total_count": total}

    def _fetch_pages(self, image_id, image_name, page_size, total, page_numbers, concurrency):
        """The bodies of ``page_numbers`` in order, fetched at most ``concurrency`` at once.

        The first failure (an error, or a page that shows the listing
        changed) stops pages not yet sent and is raised once the others end.
        """
        if not page_numbers:
            return []
        limit = AdaptiveLimit(concurrency)
        stop = threading.Event()

        def fetch(page_number):
            if stop.is_set():
                return None
            params = export_params(image_id, image_name, page_number, page_size)
            try:
                body = PageCall(limit).run(lambda on_retry: self._export_page(params, on_retry))
                check_page(page_number, body, total, page_size)
            except EnsApiError:
                stop.set()
                raise
            return body

        with ThreadPoolExecutor(max_workers=min(concurrency, len(page_numbers))) as executor:
            futures = [executor.submit(fetch, number) for number in page_numbers]
        return results_in_order(futures)


def results_in_order(futures):
    """The results of ``futures`` (all done) in order, or the failure of the lowest page.

    A ``ListingChanged`` wins over other errors: the caller lists again.
    """
    failures = [future.exception() for future in futures if future.exception() is not None]
    changes = [failure for failure in failures if isinstance(failure, ListingChanged)]
    if failures:
        raise (changes or failures)[0]
    return [future.result() for future in futures]
