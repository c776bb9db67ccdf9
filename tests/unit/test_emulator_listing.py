"""The emulator's cached listing order, drift insertion, pre-encoded pages and nonce expiry, in process."""

import json

import pytest

from tests.emulator import catalogue, ens_emulator, responses
from tests.emulator.api_errors import ApiError
from tests.emulator.signature_check import NonceCache

SEED = 5


def emulator(records, *flags):
    return ens_emulator.Emulator(ens_emulator.parse_args(
        ["--port", "0", "--http", "--export-images", str(records), "--seed", str(SEED)] + list(flags)))


def page(emulator_, page_number, page_size=50, **params):
    """One DescribeExportImageInfo answer as the client reads it (decoded from the response body)."""
    params = dict(params, PageNumber=str(page_number), PageSize=str(page_size))
    return json.loads(responses.json_response(200, emulator_.describe_export_image_info(params)).body)


def expected_page(count, page_number, page_size=50):
    listing = catalogue.listing_order(catalogue.export_records(count, SEED))
    return {"Images": {"Image": catalogue.page_of(listing, page_number, page_size)}, "PageNumber": page_number,
            "PageSize": page_size, "TotalCount": count}


def test_insert_in_listing_order_matches_sorting_again():
    records = catalogue.export_records(40, SEED)
    listing = tuple(catalogue.listing_order(records))
    newest = catalogue.export_record(40, SEED)
    assert catalogue.insert_in_listing_order(listing, newest) == tuple(catalogue.listing_order(records + [newest]))
    assert catalogue.insert_in_listing_order(listing, newest)[0] is newest
    # A record older than some: where the sort puts it; a tie goes after the records already there.
    older = dict(records[10], ImageId="m-older")
    tie = catalogue.insert_in_listing_order(listing, older)
    assert tie == tuple(catalogue.listing_order(records + [older]))
    assert tie.index(older) == listing.index(records[10]) + 1
    oldest = dict(records[0], CreationTime="2000-01-01T00:00:00Z")
    assert catalogue.insert_in_listing_order(listing, oldest)[-1] is oldest
    assert catalogue.insert_in_listing_order((), newest) == (newest,)


def test_filter_without_filters_returns_the_listing_itself():
    listing = tuple(catalogue.listing_order(catalogue.export_records(30, SEED)))
    assert catalogue.filter_export_records(listing) is listing
    wanted = listing[7]
    assert catalogue.filter_export_records(listing, image_id=wanted["ImageId"]) == [wanted]
    assert catalogue.filter_export_records(listing, image_name=wanted["ImageName"]) == [wanted]
    assert catalogue.filter_export_records(listing, wanted["ImageId"], listing[8]["ImageName"]) == []


def test_pages_are_exact_across_drift():
    """Each drift puts one new newest record first: every later page shifts by one, TotalCount grows by one."""
    server = emulator(120)
    assert page(server, 1) == expected_page(120, 1)
    server.add_drift_record()
    second = page(server, 2)
    assert second == expected_page(121, 2)
    # The shift a client must notice: page 2 starts with the record that ended page 1.
    assert second["Images"]["Image"][0] == expected_page(120, 1)["Images"]["Image"][-1]
    server.add_drift_record()
    server.add_drift_record()
    assert [page(server, number) for number in (1, 2, 3, 4)] == [expected_page(123, number) for number in (1, 2, 3, 4)]
    records = [record for number in (1, 2, 3) for record in page(server, number)["Images"]["Image"]]
    assert len(records) == 123
    assert len(set(record["ImageId"] for record in records)) == 123
    assert records[:3] == [catalogue.export_record(index, SEED) for index in (122, 121, 120)]
    assert sorted(records, key=lambda record: record["CreationTime"]) == catalogue.export_records(123, SEED)


def test_filtered_pages_see_drift_records():
    server = emulator(20)
    server.add_drift_record()
    newest = catalogue.export_record(20, SEED)
    answer = page(server, 1, 10, ImageId=newest["ImageId"])
    assert answer["Images"]["Image"] == [newest] and answer["TotalCount"] == 1
    answer = page(server, 1, 10, ImageName=newest["ImageName"])
    assert answer["Images"]["Image"] == [newest] and answer["TotalCount"] == 1


@pytest.mark.parametrize("page_number, page_size", [(1, 10), (3, 50), (9, 50), (1, 1)])
def test_answer_body_is_json_dumps_of_the_plain_document(page_number, page_size):
    server = emulator(150)
    server.add_drift_record()
    params = {"PageNumber": str(page_number), "PageSize": str(page_size)}
    document = server.describe_export_image_info(params)
    document["RequestId"] = "REQUEST-ID"
    plain = ens_emulator.export_page(catalogue.listing_order(catalogue.export_records(151, SEED)), params)
    plain["RequestId"] = "REQUEST-ID"
    assert responses.json_response(200, document).body == json.dumps(plain).encode("utf-8")


def test_nonce_cache_forgets_only_expired_nonces():
    nonces = NonceCache(window=100)
    nonces.use("key", "n1", 1000)
    nonces.use("key", "n2", 1050)
    nonces.use("other", "n1", 1060)
    with pytest.raises(ApiError) as raised:
        nonces.use("key", "n1", 1099)
    assert raised.value.code == "SignatureNonceUsed"
    assert len(nonces) == 3
    nonces.use("key", "n3", 1101)  # n1 of "key" (seen at 1000) is now outside the window
    assert len(nonces) == 3
    nonces.use("key", "n1", 1102)
    with pytest.raises(ApiError):
        nonces.use("key", "n2", 1149)
    nonces.use("key", "n4", 1300)
    assert len(nonces) == 1
