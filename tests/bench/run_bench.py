"""``make bench``: whole-process timings against the emulator, written to docs/performance.md.

    .venv/bin/python tests/bench/run_bench.py [--runs 5] [--records 10000] [--latency-ms 50]
                                              [--hosts 200] [--output docs/performance.md] [--no-write]
                                              [--only a,a_stub,c,...]

The emulator runs over HTTPS with ``--latency-ms`` on every answer and
``--records`` export records. Measured, as whole processes (issue 5):

(a) ``ansible localhost -m alicloud.ens.ens_export_image_info`` listing every record;
(b) the official SDK's page loop (tests/bench/sdk_page_loop.py);
(c) the floor: ``ansible localhost -m ansible.builtin.ping`` plus two API round trips;
(d) a play over ``--hosts`` hosts whose ``vars:`` use the ``alicloud.ens.ens_image``
    lookup, against the same play with a static variable (and its API call count);
(e) an ``alicloud.ens.ens_image_info`` task against an ``ansible.builtin.ping`` task.

Each command runs once untimed (a warm-up whose output is checked), then
``--runs`` times, the commands taking turns so that a busy machine slows them
alike. Medians, and ratios of medians from this same run, make the table.
This is a benchmark, not a test: it never fails on a missed target, it reports it.

``--only`` times just the named commands (``a``, ``a_stub``, ``b``, ``c``,
``d_lookup``, ``d_static``, ``e_info``, ``e_ping``, ``a_<N>`` of the sweep):
the table has their rows, and the ratios whose both sides ran; the
performance page is then left alone unless ``--output`` names a file.
The console also shows the emulator's CPU seconds (user + system) per run of
each command: the emulator shares the machine, a real API server does not.
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / ".build" / "import-root"))

from tests.fixtures.ansible import build_and_install, clean_environment, parse_adhoc_result  # noqa: E402
from tests.fixtures.emulator import EmulatorProcess, TlsCertificates  # noqa: E402

BIN = Path(sys.executable).parent
EXPORT_MODULE = "alicloud.ens.ens_export_image_info"
IMAGE_MODULE = "alicloud.ens.ens_image_info"
LOOKUP_TERM = "ubuntu_22_04_x64"
COLLECTIONS_PATH_ENV = "ENS_TEST_COLLECTIONS_PATH"
DEFAULT_OUTPUT = ROOT / "docs" / "performance.md"
BASE_COMMANDS = ("a", "a_stub", "b", "c", "d_lookup", "d_static", "e_info", "e_ping")

# name -> (target ratio, numerator, denominator, description)
TARGETS = [
    ("a_vs_b", 1 / 5.0, "a", "b", "(a) module listing / (b) SDK page loop", "<= 0.20 (5x faster)"),
    ("a_vs_c", 1.3, "a", "c", "(a) module listing / (c) floor", "<= 1.3"),
    ("d", 1.1, "d_lookup", "d_static", "(d) lookup play / static play", "<= 1.1"),
    ("e", 1.2, "e_info", "e_ping", "(e) ens_image_info task / ping task", "<= 1.2"),
]


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each command (after one warm-up)")
    parser.add_argument("--records", type=int, default=10000)
    parser.add_argument("--latency-ms", type=float, default=50)
    parser.add_argument("--hosts", type=int, default=200)
    parser.add_argument("--sweep", default="8,16,32,64",
                        help="max_concurrency values to time (a) with besides the default ('' for none)")
    parser.add_argument("--output", help="the page to write the table to (default %s)" % DEFAULT_OUTPUT)
    parser.add_argument("--no-write", action="store_true", help="print the table only")
    parser.add_argument("--only", metavar="NAME,...",
                        help="time only these commands (%s, a_<N> of --sweep); the page is written only with --output"
                        % ", ".join(BASE_COMMANDS))
    arguments = parser.parse_args(argv)
    arguments.only = selected_commands(parser, arguments.only, sweep_values(arguments.sweep))
    if arguments.only is not None and arguments.output is None:
        arguments.no_write = True
    arguments.output = arguments.output or str(DEFAULT_OUTPUT)
    return arguments


def selected_commands(parser, text, sweep):
    """The names ``--only`` lists (``None``: every command); an unknown name is a usage error."""
    if text is None:
        return None
    names = [name.strip() for name in text.split(",") if name.strip()]
    known = list(BASE_COMMANDS) + ["a_%d" % value for value in sweep]
    unknown = [name for name in names if name not in known]
    if unknown or not names:
        problem = "unknown %s" % ", ".join(unknown) if unknown else "no command named"
        parser.error("--only: %s; choose from %s" % (problem, ", ".join(known)))
    return [name for name in known if name in names]


# --- the machine ----------------------------------------------------------------------


def cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def ansible_core_version():
    output = subprocess.run([str(BIN / "ansible"), "--version"], capture_output=True, text=True, check=False).stdout
    first = output.splitlines()[0] if output else ""
    return first.split("core", 1)[-1].strip(" []") if "core" in first else first


def machine_description():
    load = os.getloadavg() if hasattr(os, "getloadavg") else ("?", "?", "?")
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu_model(),
        "python": platform.python_version(),
        "ansible_core": ansible_core_version(),
        "os": "%s %s" % (platform.system(), platform.release()),
        "load": "%.2f %.2f %.2f" % tuple(load),
    }


def process_cpu_seconds(pid):
    """User + system CPU seconds process ``pid`` has used so far (Linux ``/proc/PID/stat``); ``None`` elsewhere."""
    try:
        fields = Path("/proc/%d/stat" % pid).read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    # After "pid (comm)": state is field 3, utime and stime are fields 14 and 15 (man 5 proc).
    return (int(fields[11]) + int(fields[12])) / float(os.sysconf("SC_CLK_TCK"))


def emulator_pid(emulator):
    process = getattr(emulator, "_process", None)
    return process.pid if process is not None else None


# --- commands -------------------------------------------------------------------------


class Command:
    """One whole process to time; ``check(completed)`` validates the warm-up run's output."""

    def __init__(self, name, argv, env, check=None, cwd=None):
        self.name = name
        self.argv = argv
        self.env = env
        self.check = check
        self.cwd = cwd
        self.seconds = []
        self.emulator_seconds = []  # the emulator's CPU seconds during each timed run

    def run(self, timed=True, cpu=lambda: None):
        cpu_before = cpu()
        started = time.perf_counter()
        with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
            completed = subprocess.run(self.argv, env=self.env, cwd=self.cwd, stdout=stdout, stderr=stderr, check=False)
            elapsed = time.perf_counter() - started
            if completed.returncode != 0 or (not timed and self.check):
                stdout.seek(0)
                stderr.seek(0)
                out, err = stdout.read().decode("utf-8", "replace"), stderr.read().decode("utf-8", "replace")
        if completed.returncode != 0:
            raise RuntimeError("%s failed (rc %d):\n%s\n%s" % (self.name, completed.returncode, out[-3000:], err[-3000:]))
        if not timed and self.check:
            self.check(out)
        if timed:
            self.seconds.append(elapsed)
            cpu_after = cpu()
            if cpu_before is not None and cpu_after is not None:
                self.emulator_seconds.append(cpu_after - cpu_before)
        return elapsed

    @property
    def median(self):
        return statistics.median(self.seconds)


def write(path, text):
    path.write_text(text)
    return str(path)


def inventory_of(workdir, hosts):
    lines = ["[bench]"] + ["host%03d ansible_connection=local" % number for number in range(hosts)]
    return write(workdir / ("inventory-%d" % hosts), "\n".join(lines) + "\n")


def lookup_play(ca_path, static_value=None):
    """The 200-host play: ``image_id`` from the lookup, or the same value as a static string."""
    if static_value is None:
        value = "{{ lookup('alicloud.ens.ens_image', '%s', latest=true, ca_path='%s') }}" % (LOOKUP_TERM, ca_path)
    else:
        value = static_value
    return "\n".join([
        "- name: Choose an image for every host",
        "  hosts: bench",
        "  gather_facts: false",
        "  vars:",
        "    image_id: %s" % json.dumps(value),
        "  tasks:",
        "    - name: Use the image",
        "      ansible.builtin.debug:",
        "        msg: \"{{ image_id }}\"",
        "",
    ])


def single_task_play(module, args):
    return "\n".join([
        "- name: One task",
        "  hosts: localhost",
        "  gather_facts: false",
        "  tasks:",
        "    - name: The task",
        "      %s: %s" % (module, json.dumps(args) if args else "{}"),
        "",
    ])


def check_listing(expected):
    def check(stdout):
        _status, result = parse_adhoc_result(stdout)
        if not result or len(result.get("images") or []) != expected or result.get("total_count") != expected:
            raise RuntimeError("(a) did not list %d records: %s" % (expected, stdout[:500]))
        ids = [image["image_id"] for image in result["images"]]
        if len(set(ids)) != expected:
            raise RuntimeError("(a) returned duplicates")
        check.api_calls = result.get("api_calls")
    check.api_calls = None
    return check


def check_sdk(expected):
    def check(stdout):
        if stdout.strip() != "records %d total %d" % (expected, expected):
            raise RuntimeError("(b) did not read every record: %s" % stdout)
    return check


def check_hosts(hosts, needle):
    def check(stdout):
        if stdout.count(needle) < hosts or "ok=1" not in stdout:
            raise RuntimeError("the play did not give every host the image: %s" % stdout[-1000:])
    return check


def round_trip_seconds(emulator, runs):
    """Median seconds of one DescribeExportImageInfo page (PageSize 50) over a warm connection."""
    from ansible_collections.alicloud.ens.plugins.module_utils.connection import build_client
    from ansible_collections.alicloud.ens.plugins.module_utils.options import DictOptionReader

    client = build_client(DictOptionReader(emulator.module_args()))
    try:
        client.describe_export_image_info(page_size=50)
        samples = []
        for _run in range(max(runs, 5)):
            started = time.perf_counter()
            client.describe_export_image_info(page_size=50)
            samples.append(time.perf_counter() - started)
        return statistics.median(samples)
    finally:
        client.transport.close()


def collections_path(workdir):
    prepared = os.environ.get(COLLECTIONS_PATH_ENV)
    if prepared:
        return prepared
    print("building and installing the collection ...", flush=True)
    return str(build_and_install(ROOT, workdir / "collection"))


STUB_MODULE = """#!/usr/bin/python
# A module that returns the records of a JSON file without any API call: what Ansible
# itself spends on carrying a result of that size (the benchmark's reference row).
import json

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec={"path": {"type": "path", "required": True}}, supports_check_mode=True)
    with open(module.params["path"]) as records:
        images = json.load(records)
    module.exit_json(changed=False, images=images, total_count=len(images))


main()
"""


def stub_listing(emulator, workdir, records):
    """A stub module and the file of the records it returns: the listing (a) returns, fetched once here."""
    from ansible_collections.alicloud.ens.plugins.module_utils.connection import build_client
    from ansible_collections.alicloud.ens.plugins.module_utils.options import DictOptionReader

    client = build_client(DictOptionReader(emulator.module_args()))
    try:
        images = client.list_export_images()["images"]
    finally:
        client.transport.close()
    if len(images) != records:
        raise RuntimeError("the stub's records are incomplete")
    library = workdir / "library"
    library.mkdir()
    write(library / "ens_stub_listing.py", STUB_MODULE)
    return str(library), write(workdir / "records.json", json.dumps(images))


def sweep_values(text):
    return [int(value) for value in text.split(",") if value.strip()]


def all_command_names(arguments):
    return list(BASE_COMMANDS) + ["a_%d" % value for value in sweep_values(arguments.sweep)]


def make_commands(emulator, workdir, collections, arguments):
    """The commands to time, in table order: every one, or those ``--only`` names (set up only for those)."""
    wanted = arguments.only or all_command_names(arguments)
    home = workdir / "home"
    home.mkdir()
    env = clean_environment(os.environ, collections, home, emulator.env())
    env["ANSIBLE_CALLBACK_RESULT_FORMAT"] = "json"
    localhost = write(workdir / "localhost", "localhost ansible_connection=local\n")
    ca = emulator.ca_path
    adhoc = [str(BIN / "ansible"), "localhost", "-i", localhost]
    playbook = [str(BIN / "ansible-playbook")]

    def host_play(name, static_value=None):
        newest = newest_image_id(emulator)
        play = write(workdir / ("%s.yml" % name), lookup_play(ca, newest if static_value else None))
        return Command(name, playbook + ["-i", inventory_of(workdir, arguments.hosts), play], env, check_hosts(arguments.hosts, newest))

    def stub():
        library, records_file = stub_listing(emulator, workdir, arguments.records)
        return Command("a_stub", adhoc + ["-M", library, "-m", "ens_stub_listing", "-a", json.dumps({"path": records_file})], env,
                       check_listing(arguments.records))

    def task_play(name, module, args):
        return Command(name, playbook + ["-i", localhost, write(workdir / ("%s.yml" % name), single_task_play(module, args))], env)

    factories = {
        "a": lambda: Command("a", adhoc + ["-m", EXPORT_MODULE, "-a", json.dumps({"ca_path": ca})], env, check_listing(arguments.records)),
        "a_stub": stub,
        "b": lambda: Command("b", [sys.executable, str(ROOT / "tests" / "bench" / "sdk_page_loop.py"),
                                   "--endpoint", emulator.url.split("://", 1)[1], "--ca", ca], env, check_sdk(arguments.records)),
        "c": lambda: Command("c", adhoc + ["-m", "ansible.builtin.ping"], env),
        "d_lookup": lambda: host_play("d_lookup"),
        "d_static": lambda: host_play("d_static", static_value=True),
        "e_info": lambda: task_play("e_info", IMAGE_MODULE, {"ca_path": ca}),
        "e_ping": lambda: task_play("e_ping", "ansible.builtin.ping", None),
    }

    def sweep(name):
        options = {"ca_path": ca, "max_concurrency": int(name[len("a_"):])}
        return Command(name, adhoc + ["-m", EXPORT_MODULE, "-a", json.dumps(options)], env, check_listing(arguments.records))

    return [factories[name]() if name in factories else sweep(name) for name in wanted]


def newest_image_id(emulator):
    from ansible_collections.alicloud.ens.plugins.module_utils.connection import build_client
    from ansible_collections.alicloud.ens.plugins.module_utils.options import DictOptionReader
    from ansible_collections.alicloud.ens.plugins.module_utils.selection import filter_images, sort_images

    client = build_client(DictOptionReader(emulator.module_args()))
    try:
        images = client.describe_image_infos()["images"]
    finally:
        client.transport.close()
    return sort_images(filter_images(images, terms=[LOOKUP_TERM]))[-1]["image_id"]


def lookup_api_calls(emulator, command):
    """API requests one run of the lookup play makes (the emulator counts them)."""
    emulator.reset_stats()
    command.run(timed=False)
    return sum(emulator.stats()["requests"].values())


def measure(commands, runs, cpu=lambda: None):
    """Warm up, then time every command ``runs`` times, taking turns; ``cpu()``: the emulator's CPU seconds so far."""
    for command in commands:
        print("warm-up %s ..." % command.name, flush=True)
        command.run(timed=False)
    for number in range(runs):
        for command in commands:
            command.run(cpu=cpu)
        print("round %d/%d: %s" % (number + 1, runs, ", ".join("%s %.2fs" % (c.name, c.seconds[-1]) for c in commands)),
              flush=True)


def emulator_cpu_lines(commands):
    """Console lines: the emulator's mean CPU seconds per timed run of each command."""
    measured = [command for command in commands if command.emulator_seconds]
    if not measured:
        return ["emulator CPU per run: not measured (no /proc/PID/stat)"]
    return ["emulator CPU (user + system) per run, mean of %d:" % len(measured[0].emulator_seconds)] + [
        "  %-10s %.3f s" % (command.name, sum(command.emulator_seconds) / len(command.emulator_seconds))
        for command in measured]


# --- the report -------------------------------------------------------------------------


def ratios(medians):
    """The TARGETS rows whose both sides were timed."""
    rows = []
    for name, target, numerator, denominator, description, shown in TARGETS:
        if numerator not in medians or denominator not in medians:
            continue
        ratio = medians[numerator] / medians[denominator]
        rows.append((name, description, ratio, shown, ratio <= target))
    return rows


def report(machine, arguments, medians, samples, rtt, lookup_calls, listing_calls, started):
    """The markdown table and machine lines: rows of the commands that ran (``medians``); ``None``: not measured."""
    lines = [
        "| measurement | median (s) | runs (s) |",
        "|---|---:|---|",
    ]
    names = {
        "a": "(a) `ansible localhost -m %s` listing %d records" % (EXPORT_MODULE, arguments.records),
        "b": "(b) official SDK page loop (`alibabacloud-ens20171110`), %d pages" % -(-arguments.records // 50),
        "c_ping": "(c) `ansible localhost -m ansible.builtin.ping`",
        "c": "(c) floor: ping + 2 round trips (2 x %.3f s)" % (rtt or 0),
        "d_lookup": "(d) %d-host play, `image_id` from the `alicloud.ens.ens_image` lookup" % arguments.hosts,
        "d_static": "(d) the same play, `image_id` static",
        "e_info": "(e) playbook with one `%s` task" % IMAGE_MODULE,
        "e_ping": "(e) playbook with one `ansible.builtin.ping` task",
    }
    names["a_stub"] = "(a, reference) `ansible localhost -m` a stub module returning the same %d records, no API call" % arguments.records
    keys = ["a", "a_stub", "b", "c_ping", "c", "d_lookup", "d_static", "e_info", "e_ping"]
    for value in sweep_values(arguments.sweep):
        names["a_%d" % value] = "(a) with `max_concurrency=%d`" % value
        keys.append("a_%d" % value)
    for key in [key for key in keys if key in medians]:
        runs = ", ".join("%.2f" % value for value in samples.get(key, [])) or "-"
        lines.append("| %s | %.2f | %s |" % (names[key], medians[key], runs))
    lines += ["", "| target | ratio | wanted | met |", "|---|---:|---|---|"]
    for _name, description, ratio, shown, met in ratios(medians):
        lines.append("| %s | %.2f | %s | %s |" % (description, ratio, shown, "yes" if met else "**no**"))
    if lookup_calls is not None:
        lines.append("| (d) API calls of the lookup play over %d hosts | %d | 1 | %s |"
                     % (arguments.hosts, lookup_calls, "yes" if lookup_calls == 1 else "**no**"))
    if "a" in medians:
        lines.append("| (a) API calls of the listing | %s | %d pages | %s |"
                     % (listing_calls, -(-arguments.records // 50), "yes" if listing_calls == -(-arguments.records // 50) else "**no**"))
    table = "\n".join(lines)
    machine_lines = "\n".join([
        "- date: %s" % started.strftime("%Y-%m-%d %H:%M UTC"),
        "- nproc: %s; CPU: %s" % (machine["nproc"], machine["cpu"]),
        "- Python %s, ansible-core %s, %s" % (machine["python"], machine["ansible_core"], machine["os"]),
        "- load average when the benchmark started: %s" % machine["load"],
        "- emulator: HTTPS, `--latency-ms %g`, `--export-images %d`, on the same machine"
        % (arguments.latency_ms, arguments.records),
        "- %d timed runs of each command after one checked warm-up, taking turns" % arguments.runs,
    ])
    return table, machine_lines


def main(argv=None):
    arguments = parse_arguments(argv)
    started = datetime.datetime.now(datetime.timezone.utc)
    machine = machine_description()
    with tempfile.TemporaryDirectory(prefix="ens-bench-") as directory:
        workdir = Path(directory)
        certificates = TlsCertificates(workdir)
        collections = collections_path(workdir)
        emulator = EmulatorProcess(["--latency-ms", str(arguments.latency_ms), "--export-images", str(arguments.records)],
                                   certificates, workdir)
        pid = emulator_pid(emulator)
        rtt = lookup_calls = None
        try:
            commands = make_commands(emulator, workdir, collections, arguments)
            by_name = dict((command.name, command) for command in commands)
            measure(commands, arguments.runs, cpu=lambda: process_cpu_seconds(pid) if pid else None)
            if "c" in by_name:
                rtt = round_trip_seconds(emulator, arguments.runs)
            if "d_lookup" in by_name:
                lookup_calls = lookup_api_calls(emulator, by_name["d_lookup"])
        finally:
            emulator.stop()
    medians = dict((command.name, command.median) for command in commands)
    samples = dict((command.name, command.seconds) for command in commands)
    if rtt is not None:
        medians["c_ping"], samples["c_ping"] = medians["c"], samples["c"]
        medians["c"] = medians["c_ping"] + 2 * rtt
        samples["c"] = [value + 2 * rtt for value in samples["c_ping"]]
    listing_calls = by_name["a"].check.api_calls if "a" in by_name else None
    table, machine_lines = report(machine, arguments, medians, samples, rtt, lookup_calls, listing_calls, started)
    print("\n" + "\n".join(emulator_cpu_lines(commands)))
    print("\n" + table + "\n\n" + machine_lines)
    if not arguments.no_write:
        write_performance_page(Path(arguments.output), table, machine_lines)
        print("\nwritten to %s" % arguments.output)
    return 0


def write_performance_page(path, table, machine_lines):
    """Replace the generated section of docs/performance.md (between the markers), keeping the prose."""
    begin, end = "<!-- bench:begin -->", "<!-- bench:end -->"
    generated = "%s\n%s\n\nMachine:\n\n%s\n%s" % (begin, table, machine_lines, end)
    text = path.read_text() if path.exists() else "# Performance\n\n%s\n%s\n" % (begin, end)
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        text = head + generated + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + generated + "\n"
    path.write_text(text)


if __name__ == "__main__":
    sys.exit(main())
