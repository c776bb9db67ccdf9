"""Selection: ordering, version constraints, filters, latest."""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.alicloud.ens.plugins.module_utils.errors import EnsOptionError
from ansible_collections.alicloud.ens.plugins.module_utils.selection import (
    build_date,
    compile_regex,
    filter_export_images,
    filter_images,
    image_sort_key,
    latest,
    parse_version_constraints,
    sort_export_images,
    sort_images,
    version_key,
    version_matches,
)


def image(image_id, version=None, os_name=None, compute_type="ens_vm", owner="system"):
    return {"image_id": image_id, "image_version": version, "os_name": os_name,
            "compute_type": compute_type, "image_owner_alias": owner}


def export_record(image_id, created=None, name=None, status="Exported", owner="self", platform="centos",
                  architecture="x86_64"):
    return {"image_id": image_id, "creation_time": created, "image_name": name, "image_export_status": status,
            "image_owner_alias": owner, "platform": platform, "architecture": architecture}


def ids(records):
    return [record["image_id"] for record in records]


def shuffled(items, seed=7):
    items = list(items)
    random.Random(seed).shuffle(items)
    return items


# --- version ordering ----------------------------------------------------------


@pytest.mark.parametrize("older, newer", [
    ("9.13", "12.2"),
    ("7.9", "7.10"),
    ("22.04", "22.04.1"),
    ("20.04", "22.04"),
    ("6.8", "6.10"),
    ("2016", "2019"),
    ("2019", "2022"),
    ("8", "8.0.1"),
    ("", "1"),
    ("22.04", "22.04-lts"),  # text compares after numbers
    ("22.04.9", "22.04.lts"),
    ("22.04.alpha", "22.04.beta"),
])
def test_version_order(older, newer):
    assert version_key(older) < version_key(newer)


def test_version_key_of_plain_and_missing_versions():
    assert version_key("7.10") == ((0, 7), (0, 10))
    assert version_key(None) == ()
    assert version_key("") == ()
    assert version_key(2019) == ((0, 2019),)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=12)), max_size=12))
def test_any_versions_sort_without_error(versions):
    keys = sorted(version_key(version) for version in versions)
    assert len(keys) == len(versions)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=10 ** 6), min_size=1, max_size=5),
       st.lists(st.integers(min_value=0, max_value=10 ** 6), min_size=1, max_size=5))
def test_numeric_versions_order_like_integer_tuples(left, right):
    left_key = version_key(".".join(str(n) for n in left))
    right_key = version_key(".".join(str(n) for n in right))
    assert (left_key < right_key) == (tuple(left) < tuple(right))


# --- build dates ---------------------------------------------------------------


@pytest.mark.parametrize("image_id, expected", [
    ("ubuntu_22_04_x64_20G_alibase_20240220.vhd", "20240220"),
    ("win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd", "20230811"),
    ("centos_7_9_x64_20G_alibase_20231220", "20231220"),
    ("centos_6_08_64_20G_alibase_2017****", ""),
    ("m-5we1234567", ""),
    ("debian_11_x64_20G_alibase_20241399.vhd", ""),  # not a date: month 13
    ("custom-20230101-build-20240202", "20240202"),
    ("", ""),
    (None, ""),
])
def test_build_date(image_id, expected):
    assert build_date(image_id) == expected


# --- sorting images ------------------------------------------------------------


def test_sort_by_version_then_build_date_then_id():
    ordered = [
        image("no_version"),
        image("centos_7_9_x64_20G_alibase_20200101.vhd", "7.9"),
        image("centos_7_10_x64_20G.vhd", "7.10"),  # no build date: before dated ones of its version
        image("centos_7_10_x64_20G_alibase_20220101.vhd", "7.10"),
        image("centos_7_10_x64_20G_alibase_20230101.vhd", "7.10"),
        image("a_same_date_alibase_20230101.vhd", "7.11"),
        image("b_same_date_alibase_20230101.vhd", "7.11"),
        image("ubuntu_12_2", "12.2"),
    ]
    for seed in range(5):
        assert ids(sort_images(shuffled(ordered, seed))) == ids(ordered)


def test_sort_with_different_component_counts():
    ordered = [image("u2204", "22.04"), image("u220401", "22.04.1"), image("u2210", "22.10"), image("u24", "24")]
    assert ids(sort_images(shuffled(ordered))) == ids(ordered)


def test_windows_versions_sort_numerically():
    ordered = [image("win2016_alibase_20240101", "2016"), image("win2019_alibase_20230101", "2019"),
               image("win2022_alibase_20220101", "2022")]
    assert ids(sort_images(shuffled(ordered))) == ids(ordered)


def test_version_equal_after_padding_breaks_ties_by_date():
    # "8" and "8.0" are different version strings: the shorter one is older.
    ordered = [image("x_alibase_20240101", "8"), image("y_alibase_20200101", "8.0")]
    assert ids(sort_images(shuffled(ordered))) == ids(ordered)


def test_non_numeric_versions_do_not_crash():
    images = [image("a", "22.04-lts"), image("b", "22.04"), image("c", None), image("d", "beta"), image("e", "3")]
    assert ids(sort_images(images)) == ["c", "e", "b", "a", "d"]


def test_only_ascii_digits_are_numbers():
    # Found by the property test: "²" is str.isdigit() but not a number int() accepts.
    assert version_key("7.²") == ((0, 7), (1, "²"))
    assert version_key("\u0663") == ((1, "\u0663"),)
    assert build_date("x_alibase_\u0662\u0660\u0662\u0664\u0660\u0662\u0662\u0660") == ""
    with pytest.raises(EnsOptionError):
        parse_version_constraints("\u0663")


def test_sort_images_returns_a_new_list():
    images = [image("b", "2"), image("a", "1")]
    result = sort_images(images)
    assert ids(images) == ["b", "a"]
    assert ids(result) == ["a", "b"]


def test_image_sort_key_tolerates_missing_fields():
    assert image_sort_key({}) == ((), "", "")


# --- sorting export records ----------------------------------------------------


def test_export_records_sort_by_creation_time_then_id():
    ordered = [
        export_record("m-junk", "not a time"),
        export_record("m-1", "2017-12-08T12:10:03Z"),
        export_record("m-2", "2017-12-08T12:10:04Z"),
        export_record("m-3a", "2018-01-01T00:00:00Z"),
        export_record("m-3b", "2018-01-01T00:00:00Z"),
    ]
    for seed in range(5):
        assert ids(sort_export_images(shuffled(ordered, seed))) == ids(ordered)


def test_export_creation_times_are_parsed_not_compared_as_text():
    ordered = [
        export_record("m-minutes", "2017-12-08T12:10Z"),  # the minute-only form Alibaba APIs use
        export_record("m-offset", "2017-12-08T20:10:30+08:00"),  # 12:10:30Z
        export_record("m-fraction", "2017-12-08T12:10:30.500Z"),
        export_record("m-no-zone", "2017-12-08T12:11:00"),
        export_record("m-date-only", "2017-12-09"),
    ]
    for seed in range(5):
        assert ids(sort_export_images(shuffled(ordered, seed))) == ids(ordered)


def test_export_records_without_time_sort_first():
    records = [export_record("m-b", "2017-12-08T12:10:03Z"), export_record("m-a", None)]
    assert ids(sort_export_images(records)) == ["m-a", "m-b"]


# --- latest --------------------------------------------------------------------


def test_latest():
    assert latest([]) == []
    assert latest(["a", "b", "c"]) == ["c"]
    assert latest(sort_images([image("n", "24"), image("o", "9")])) == [image("n", "24")]


# --- version constraints -------------------------------------------------------


@pytest.mark.parametrize("spec, expected", [
    ("22.04", [("==", (22, 4))]),
    (">=20.04,<24", [(">=", (20, 4)), ("<", (24,))]),
    (" >= 20.04 , < 24 ", [(">=", (20, 4)), ("<", (24,))]),
    ("==7.9", [("==", (7, 9))]),
    ("!=7", [("!=", (7,))]),
    ("<=2019", [("<=", (2019,))]),
    (">1.2.3", [(">", (1, 2, 3))]),
    (["2", ">1"], [("==", (2,)), (">", (1,))]),
    (None, []),
    ("", []),
    ("  ", []),
])
def test_parse_version_constraints(spec, expected):
    assert parse_version_constraints(spec) == expected


@pytest.mark.parametrize("spec, bad_part", [
    (">=", ">="),
    ("=>20.04", "=>20.04"),
    ("=20.04", "=20.04"),
    ("20.", "20."),
    (".20", ".20"),
    ("~=20", "~=20"),
    ("22.*", "22.*"),
    ("v22", "v22"),
    ("latest", "latest"),
    (">=20,,<24", ""),
    (">=20,", ""),
    ("<<24", "<<24"),
    (">=20.04 <24", ">=20.04 <24"),
])
def test_malformed_constraints_name_image_version(spec, bad_part):
    with pytest.raises(EnsOptionError) as caught:
        parse_version_constraints(spec)
    message = str(caught.value)
    assert caught.value.option == "image_version"
    assert message.startswith("image_version: ")
    assert repr(bad_part) in message
    assert ">=20.04,<24" in message and "==, !=, <, <=, >, >=" in message


@pytest.mark.parametrize("version, spec, expected", [
    ("22.04", "22.04", True),
    ("22.04", "22.4", True),
    ("22.04.1", "22.04", False),
    ("24", "24.0", True),
    ("24.0", "24", True),
    ("24.0.0", "==24", True),
    ("7.10", ">7.9", True),
    ("7.9", ">7.10", False),
    ("12.2", ">9.13", True),
    ("9.13", "<12.2", True),
    ("20.04", ">=20.04,<24", True),
    ("22.04", ">=20.04,<24", True),
    ("24.04", ">=20.04,<24", False),
    ("18.04", ">=20.04,<24", False),
    ("23.99", ">=20.04,<24", True),
    ("7.9", "!=7.9", False),
    ("7.9", "!=7.10", True),
    ("7.9", "<=7.9", True),
    ("7.9", "<7.9", False),
    ("7.9", ">=7.9", True),
    ("7.9", ">7.9", False),
    ("2019", ">=2016,<2022", True),
    ("2022", ">=2016,<2022", False),
    ("", ">=0", False),
    (None, "!=1", False),
    ("22.04-lts", ">=22.04", True),
    ("22.04-lts", "==22.04", False),
])
def test_version_matches(version, spec, expected):
    assert version_matches(version, parse_version_constraints(spec)) is expected


def test_no_constraints_match_everything():
    assert version_matches(None, []) is True
    assert version_matches("1", []) is True


# --- filters -------------------------------------------------------------------

CATALOGUE = [
    image("centos_7_9_x64_20G_alibase_20231220.vhd", "7.9", "centos"),
    image("ubuntu_20_04_x64_20G_alibase_20230101.vhd", "20.04", "ubuntu"),
    image("ubuntu_22_04_x64_20G_alibase_20240220.vhd", "22.04", "Ubuntu"),
    image("ubuntu_22_04_arm_20G_alibase_20240220.vhd", "22.04", "ubuntu", compute_type="arm_vm"),
    image("ubuntu_24_04_x64_20G_alibase_20240601.vhd", "24.04", "ubuntu"),
    image("win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd", "2019", "windows"),
    image("m-custom1", "22.04", "ubuntu", owner="self"),
]


def test_no_filters_keep_everything_in_order():
    assert filter_images(CATALOGUE) == CATALOGUE
    assert filter_images(CATALOGUE, image_ids=[], name_regex="", os_name=[], compute_type=None,
                         owner_alias="", image_version="", terms=[]) == CATALOGUE


def test_filter_by_image_ids_is_exact():
    assert ids(filter_images(CATALOGUE, image_ids=["m-custom1", "m-custom"])) == ["m-custom1"]
    assert ids(filter_images(CATALOGUE, image_ids="m-custom1")) == ["m-custom1"]


def test_filter_by_name_regex_searches_the_image_id():
    assert ids(filter_images(CATALOGUE, name_regex="^win")) == ["win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd"]
    assert len(filter_images(CATALOGUE, name_regex="x64_20G")) == 4


def test_filter_by_os_name_ignores_case():
    assert len(filter_images(CATALOGUE, os_name=["UBUNTU"])) == 5
    assert len(filter_images(CATALOGUE, os_name="ubuntu")) == 5
    assert len(filter_images(CATALOGUE, os_name=["centos", "Windows"])) == 2
    assert filter_images(CATALOGUE, os_name=["plan9"]) == []


def test_filter_by_compute_type_and_owner():
    assert ids(filter_images(CATALOGUE, compute_type=["arm_vm"])) == ["ubuntu_22_04_arm_20G_alibase_20240220.vhd"]
    assert ids(filter_images(CATALOGUE, owner_alias="self")) == ["m-custom1"]
    assert len(filter_images(CATALOGUE, owner_alias="system")) == 6


def test_filter_by_image_version():
    assert ids(filter_images(CATALOGUE, image_version="22.04", owner_alias="system")) == [
        "ubuntu_22_04_x64_20G_alibase_20240220.vhd", "ubuntu_22_04_arm_20G_alibase_20240220.vhd"]
    assert ids(filter_images(CATALOGUE, os_name="ubuntu", image_version=">=20.04,<24", compute_type="ens_vm",
                             owner_alias="system")) == [
        "ubuntu_20_04_x64_20G_alibase_20230101.vhd", "ubuntu_22_04_x64_20G_alibase_20240220.vhd"]


def test_terms_match_if_any_term_matches():
    assert ids(filter_images(CATALOGUE, terms=["^centos", "^win"])) == [
        "centos_7_9_x64_20G_alibase_20231220.vhd", "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd"]
    assert filter_images(CATALOGUE, terms=["^nothing"]) == []


def test_filters_combine_with_and():
    assert ids(filter_images(CATALOGUE, name_regex="ubuntu", terms=["arm"], os_name="ubuntu")) == [
        "ubuntu_22_04_arm_20G_alibase_20240220.vhd"]


def test_newest_ubuntu_for_ens_vm():
    chosen = latest(sort_images(filter_images(CATALOGUE, os_name="ubuntu", compute_type="ens_vm",
                                              owner_alias="system")))
    assert ids(chosen) == ["ubuntu_24_04_x64_20G_alibase_20240601.vhd"]


@pytest.mark.parametrize("kwargs, option", [
    ({"name_regex": "("}, "name_regex"),
    ({"terms": ["ok", "[unclosed"]}, "terms"),
    ({"image_version": ">>1"}, "image_version"),
])
def test_bad_filter_input_names_the_option_even_without_images(kwargs, option):
    with pytest.raises(EnsOptionError) as caught:
        filter_images([], **kwargs)
    assert caught.value.option == option
    assert str(caught.value).startswith(option + ": ")


def test_regex_errors_quote_the_pattern_and_the_reason():
    with pytest.raises(EnsOptionError) as caught:
        compile_regex("name_regex", "a(b")
    message = str(caught.value)
    assert "'a(b'" in message
    assert "missing )" in message


def test_compile_regex_returns_a_pattern():
    assert compile_regex("terms", "^a.c$").search("abc")


def test_filters_tolerate_missing_fields():
    assert filter_images([{}], os_name="ubuntu") == []
    assert filter_images([{}], name_regex="x") == []
    assert filter_images([{}], image_version=">=1") == []
    assert filter_export_images([{}], platform="centos", name_regex="x") == []


# --- export filters -------------------------------------------------------------

EXPORTS = [
    export_record("m-1", name="web-base", status="Exported", owner="self", platform="CentOS"),
    export_record("m-2", name="db-base", status="Exporting", owner="self", platform="ubuntu"),
    export_record("m-3", name="web-next", status="ExportError", owner="system", platform="centos",
                  architecture="arm64"),
    export_record("m-4", name="plain", status="Unexported", owner="self", platform="windows"),
]


def test_export_no_filters():
    assert filter_export_images(EXPORTS) == EXPORTS
    assert filter_export_images(EXPORTS, export_status=[], owner_alias=None, platform="", architecture=None,
                                name_regex=None, terms=[]) == EXPORTS


def test_export_status_filter():
    assert ids(filter_export_images(EXPORTS, export_status=["Exported", "Exporting"])) == ["m-1", "m-2"]


def test_export_owner_platform_architecture():
    assert ids(filter_export_images(EXPORTS, owner_alias="system")) == ["m-3"]
    assert ids(filter_export_images(EXPORTS, platform="centos")) == ["m-1", "m-3"]
    assert ids(filter_export_images(EXPORTS, platform="CENTOS", architecture="arm64")) == ["m-3"]


def test_export_name_regex_searches_name_and_id():
    assert ids(filter_export_images(EXPORTS, name_regex="^web")) == ["m-1", "m-3"]
    assert ids(filter_export_images(EXPORTS, name_regex="^m-4$")) == ["m-4"]


def test_export_terms():
    assert ids(filter_export_images(EXPORTS, terms=["^db", "m-4"])) == ["m-2", "m-4"]


@pytest.mark.parametrize("kwargs, option", [
    ({"name_regex": "*"}, "name_regex"),
    ({"terms": ["(?P<x"]}, "terms"),
])
def test_export_regex_errors_name_the_option(kwargs, option):
    with pytest.raises(EnsOptionError) as caught:
        filter_export_images([], **kwargs)
    assert caught.value.option == option
