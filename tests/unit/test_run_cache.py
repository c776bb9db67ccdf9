"""The lookup's run-wide cache: keys, file modes, and real processes racing on one key."""

import json
import multiprocessing
import os
import stat
import time

import pytest

from ansible_collections.alicloud.ens.plugins.plugin_utils.run_cache import RunCache, answer_key, cache_key, default_cache_dir

FORK = multiprocessing.get_context("fork")
RACERS = 12


def _count_lines(path):
    if not os.path.exists(path):
        return 0
    with open(path) as counter:
        return len(counter.read().splitlines())


def _slow_compute(counter_path, value):
    """A compute that records each call (O_APPEND writes are atomic) and is slow enough to overlap."""
    def compute():
        descriptor = os.open(counter_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(descriptor, ("%d\n" % os.getpid()).encode())
        finally:
            os.close(descriptor)
        time.sleep(0.3)
        return value
    return compute


def _racer(directory, key, counter_path, barrier, results):
    barrier.wait()
    value = RunCache(directory).get_or_compute(key, _slow_compute(counter_path, {"images": ["m-1"], "by": os.getpid()}))
    results.put(value)


def _race(directory, key, counter_path, processes=RACERS):
    barrier = FORK.Barrier(processes)
    results = FORK.Queue()
    workers = [FORK.Process(target=_racer, args=(directory, key, counter_path, barrier, results)) for _process in range(processes)]
    for worker in workers:
        worker.start()
    values = [results.get(timeout=30) for _worker in workers]
    for worker in workers:
        worker.join(timeout=30)
        assert worker.exitcode == 0
    return values


def test_processes_racing_on_one_key_compute_once(tmp_path):
    key = cache_key("https://ens.aliyuncs.com", "key:LTAIexample", "DescribeImageInfos", {"os_type": None})
    counter = str(tmp_path / "computes")

    values = _race(str(tmp_path / "cache"), key, counter)

    assert _count_lines(counter) == 1
    assert len(values) == RACERS
    assert all(value == values[0] for value in values)  # everyone got the one computed value
    assert values[0]["images"] == ["m-1"]


def test_processes_racing_on_different_keys_compute_each(tmp_path):
    directory = str(tmp_path / "cache")
    counter = str(tmp_path / "computes")
    first = cache_key("https://e", "key:A", "DescribeImageInfos", {"os_type": "linux"})
    second = cache_key("https://e", "key:A", "DescribeImageInfos", {"os_type": "windows"})

    _race(directory, first, counter, processes=4)
    _race(directory, second, counter, processes=4)

    assert _count_lines(counter) == 2


def test_a_stored_value_is_returned_without_computing(tmp_path):
    cache = RunCache(str(tmp_path / "cache"))
    calls = []

    def compute():
        calls.append(1)
        return {"images": [{"image_id": "m-1"}], "request_id": "R1"}

    first = cache.get_or_compute("k", compute)
    second = cache.get_or_compute("k", compute)

    assert calls == [1]
    assert first == second == {"images": [{"image_id": "m-1"}], "request_id": "R1"}


def test_entries_and_locks_are_private_files(tmp_path):
    directory = tmp_path / "cache"
    cache = RunCache(str(directory))
    old_umask = os.umask(0)
    try:
        cache.get_or_compute("k", lambda: {"images": []})
    finally:
        os.umask(old_umask)

    assert stat.S_IMODE(os.stat(str(directory)).st_mode) == 0o700
    names = sorted(os.listdir(str(directory)))
    assert names == ["k.json", "k.lock"]  # no temporary file left behind
    for name in names:
        assert stat.S_IMODE(os.stat(str(directory / name)).st_mode) == 0o600


def test_a_failed_compute_stores_nothing_and_releases_the_lock(tmp_path):
    cache = RunCache(str(tmp_path / "cache"))

    def fail():
        raise RuntimeError("API down")

    with pytest.raises(RuntimeError):
        cache.get_or_compute("k", fail)

    assert not os.path.exists(cache.entry_path("k"))
    assert cache.get_or_compute("k", lambda: ["second try"]) == ["second try"]
    assert [name for name in os.listdir(str(tmp_path / "cache")) if name.startswith(".tmp-")] == []


def test_an_unreadable_entry_counts_as_a_miss(tmp_path):
    cache = RunCache(str(tmp_path / "cache"))
    cache.get_or_compute("k", lambda: ["old"])
    with open(cache.entry_path("k"), "w") as entry:
        entry.write("{not json")

    assert cache.get_or_compute("k", lambda: ["new"]) == ["new"]
    with open(cache.entry_path("k")) as entry:
        assert json.load(entry) == ["new"]


def key_question(**changes):
    """The keyword arguments of ``cache_key`` for one API question, with ``changes`` over a fixed base."""
    question = {"endpoint": "https://ens.aliyuncs.com", "identity": "key:A", "action": "DescribeExportImageInfo",
                "params": {"image_id": "m-1", "image_name": "web"}}
    question.update(changes)
    return question


def test_cache_key_ignores_parameter_order_and_separates_every_part():
    base = key_question()
    reordered = key_question(params={"image_name": "web", "image_id": "m-1"})
    variants = [
        key_question(endpoint="https://ens.ap-southeast-1.aliyuncs.com"),
        key_question(identity="key:B"),
        key_question(action="DescribeImageInfos"),
        key_question(params={"image_id": "m-2", "image_name": "web"}),
        key_question(params={"image_id": "m-1"}),
    ]

    assert cache_key(**base) == cache_key(**reordered)
    keys = set(cache_key(**variant) for variant in variants)
    assert len(keys) == len(variants)
    assert cache_key(**base) not in keys


def test_cache_key_is_a_hash_that_reveals_none_of_its_inputs():
    key = cache_key("https://ens.aliyuncs.com", "key:LTAIvisibleId", "DescribeImageInfos", {"os_type": "linux"})

    assert len(key) == 64 and all(char in "0123456789abcdef" for char in key)
    assert "LTAI" not in key and "linux" not in key


def test_answer_key_ignores_key_order_and_separates_plugins_questions_and_listing_keys():
    question = {"terms": ["^ubuntu_"], "options": {"latest": True, "os_name": ["ubuntu"]}}
    reordered = {"options": {"os_name": ["ubuntu"], "latest": True}, "terms": ["^ubuntu_"]}

    assert answer_key("alicloud.ens.ens_image", question) == answer_key("alicloud.ens.ens_image", reordered)
    keys = set([
        answer_key("alicloud.ens.ens_image", question),
        answer_key("alicloud.ens.other", question),
        answer_key("alicloud.ens.ens_image", dict(question, terms=["^debian_"])),
        answer_key("alicloud.ens.ens_image", dict(question, options={"latest": False, "os_name": ["ubuntu"]})),
        cache_key(None, None, "alicloud.ens.ens_image", question),
    ])
    assert len(keys) == 5
    key = answer_key("alicloud.ens.ens_image", question)
    assert len(key) == 64 and "ubuntu" not in key


def test_default_cache_dir_is_inside_the_run_temp_dir():
    from ansible import constants as C

    directory = default_cache_dir()

    assert os.path.dirname(directory) == C.DEFAULT_LOCAL_TMP
    assert os.path.isdir(C.DEFAULT_LOCAL_TMP)


class FakeClient:
    """Counts the listing calls it answers; stands in for EnsClient below the cache."""

    def __init__(self):
        self.calls = []
        self.transport = "the transport"

    def describe_image_infos(self, os_type=None):
        self.calls.append(("DescribeImageInfos", os_type))
        return {"images": [{"image_id": "m-%s-%d" % (os_type, len(self.calls))}], "request_id": "R%d" % len(self.calls)}

    def list_export_images(self, image_id=None, image_name=None, page_size=50, max_concurrency=8):
        self.calls.append(("DescribeExportImageInfo", image_id, image_name))
        return {"images": [{"image_id": image_id or "m-any"}], "total_count": 1}


def _cached_client(directory, client=None, endpoint="https://ens.aliyuncs.com", identity="key:A"):
    from ansible_collections.alicloud.ens.plugins.plugin_utils.cached_client import CachedListings
    return CachedListings(client or FakeClient(), RunCache(str(directory)), endpoint, identity)


def test_cached_listings_share_one_answer_across_clients(tmp_path):
    first_client, second_client = FakeClient(), FakeClient()

    first = _cached_client(tmp_path, first_client).describe_image_infos(os_type="linux")
    second = _cached_client(tmp_path, second_client).describe_image_infos(os_type="linux")

    assert first_client.calls == [("DescribeImageInfos", "linux")]
    assert second_client.calls == []
    assert second == first


def test_cached_listings_ask_again_for_other_parameters_endpoints_or_identities(tmp_path):
    client = FakeClient()

    _cached_client(tmp_path, client).describe_image_infos()
    _cached_client(tmp_path, client).describe_image_infos(os_type="windows")
    _cached_client(tmp_path, client, endpoint="https://127.0.0.1:8443").describe_image_infos()
    _cached_client(tmp_path, client, identity="key:B").describe_image_infos()
    _cached_client(tmp_path, client).list_export_images(image_id="m-1", page_size=50)
    _cached_client(tmp_path, client).list_export_images(image_id="m-1", page_size=50)
    _cached_client(tmp_path, client).list_export_images(image_id="m-2", page_size=50)

    assert len(client.calls) == 6


def test_cached_listings_pass_everything_else_to_the_client(tmp_path):
    assert _cached_client(tmp_path).transport == "the transport"


# --- LazyClient: a client built on the first miss only ----------------------------------


class ClosableFakeClient(FakeClient):
    """A FakeClient whose transport counts requests and records being closed."""

    def __init__(self):
        super().__init__()
        self.transport = FakeTransport()


class FakeTransport:
    def __init__(self):
        self.api_calls = 3
        self.retries = 1
        self.closed = False

    def close(self):
        self.closed = True


def _lazy(built):
    from ansible_collections.alicloud.ens.plugins.plugin_utils.cached_client import LazyClient

    def build():
        built.append(ClosableFakeClient())
        return built[-1]
    return LazyClient(build)


def test_lazy_client_is_not_built_until_a_call_and_has_spent_nothing():
    built = []
    client = _lazy(built)

    assert (client.transport.api_calls, client.transport.retries) == (0, 0)
    client.close()

    assert built == []
    assert client.built is False


def test_lazy_client_builds_once_on_the_first_call_and_closes_what_it_built():
    built = []
    client = _lazy(built)

    first = client.describe_image_infos(os_type="linux")
    client.describe_image_infos(os_type="windows")
    client.close()

    assert len(built) == 1
    assert first["images"] == [{"image_id": "m-linux-1"}]
    assert built[0].calls == [("DescribeImageInfos", "linux"), ("DescribeImageInfos", "windows")]
    assert (client.transport.api_calls, client.transport.retries) == (3, 1)
    assert built[0].transport.closed is True


def test_a_cache_hit_never_builds_the_lazy_client(tmp_path):
    _cached_client(tmp_path, FakeClient()).list_export_images(image_id="m-1", page_size=50)
    built = []
    lazy = _lazy(built)

    answer = _cached_client(tmp_path, lazy).list_export_images(image_id="m-1", page_size=50)

    assert answer == {"images": [{"image_id": "m-1"}], "total_count": 1}
    assert built == []
    assert _cached_client(tmp_path, lazy).transport.api_calls == 0


def test_a_cache_miss_builds_the_lazy_client_and_asks_it(tmp_path):
    built = []

    answer = _cached_client(tmp_path, _lazy(built)).describe_image_infos(os_type="linux")

    assert len(built) == 1
    assert built[0].calls == [("DescribeImageInfos", "linux")]
    assert answer["images"] == [{"image_id": "m-linux-1"}]
