"""The ens_image lookup's pure helpers: the no-match message, the terms reader, the result shape."""

from ansible_collections.alicloud.ens.plugins.lookup import ens_image
from ansible_collections.alicloud.ens.plugins.module_utils.options import DictOptionReader


def test_no_match_message_names_every_filter_given_in_order():
    reader = DictOptionReader({"os_name": ["plan9"], "image_version": ">=9,<10", "os_type": None, "name_regex": ""})

    given = ens_image.filters_given(reader, ens_image.IMAGE_FILTERS)

    assert given == [("os_name", ["plan9"]), ("image_version", ">=9,<10")]
    assert ens_image.no_match_message("images", given) == "No ENS image matches os_name=plan9, image_version=>=9,<10"


def test_no_match_message_joins_list_values_and_names_terms():
    reader = ens_image.TermsOptionReader(DictOptionReader({"compute_type": ["arm_vm", "bare_metal"]}), ["^plan9_"])

    message = ens_image.no_match_message("images", ens_image.filters_given(reader, ens_image.IMAGE_FILTERS))

    assert message == "No ENS image matches terms=^plan9_, compute_type=arm_vm,bare_metal"


def test_no_match_message_for_export_records():
    reader = DictOptionReader({"export_status": ["Exported"], "platform": "plan9", "os_name": ["ignored"]})

    message = ens_image.no_match_message("export", ens_image.filters_given(reader, ens_image.EXPORT_FILTERS))

    assert message == "No ENS export record matches export_status=Exported, platform=plan9"


def test_no_match_message_without_filters_says_so():
    assert ens_image.no_match_message("images", []) == "No ENS image matches (no filters given)"


def test_terms_reader_answers_terms_and_passes_everything_else():
    reader = ens_image.TermsOptionReader(DictOptionReader({"os_name": ["debian"]}), ["ubuntu", "debian"])

    assert reader.get("terms") == ["ubuntu", "debian"]
    assert reader.get("os_name") == ["debian"]
    assert reader.get("latest", False) is False


def test_terms_reader_without_terms_gives_the_default():
    reader = ens_image.TermsOptionReader(DictOptionReader({}), [])

    assert reader.get("terms") is None
    assert reader.get("terms", []) == []


def test_results_are_ids_unless_details_are_asked_for():
    items = [{"image_id": "a", "image_version": "1"}, {"image_id": "b", "image_version": "2"}]

    assert ens_image.results(items, details=False) == ["a", "b"]
    assert ens_image.results(items, details=True) is items
    assert ens_image.results([], details=False) == []


def test_missing_requests_message_says_what_to_install_and_why():
    traceback = ("Traceback (most recent call last):\n  File \"x.py\", line 1, in <module>\n"
                 "ModuleNotFoundError: No module named 'requests'\n")

    message = ens_image.missing_requests_message(traceback)

    assert message == ("The alicloud.ens.ens_image lookup needs the Python library requests on the controller "
                       "(pip install requests): ModuleNotFoundError: No module named 'requests'")
    assert ens_image.missing_requests_message(None).endswith("requests is not installed")
