"""What one Ansible worker spends on an ``alicloud.ens.ens_image`` lookup answered from the run cache.

    .venv/bin/python tools/with_emulator.py -- .venv/bin/python tests/bench/lookup_worker_cost.py \
        [--children 40] [--collections .build/collections] [--term ubuntu_22_04_x64]

Benchmark (d) of docs/performance.md is a 200-host play whose ``vars:`` hold the
lookup: Ansible forks a worker per host and task, and every worker loads the
lookup afresh. This script does what such a worker does, with the parts timed:
a parent process initialises Ansible's plugin loaders and templates a builtin
lookup once (so the generic machinery is loaded, as in ``ansible-playbook``),
fills the run cache with one real lookup against the emulator, then forks
``--children`` workers one after the other. Each child templates
``{{ lookup('alicloud.ens.ens_image', TERM, latest=true, ca_path=...) }}`` once
and reports, in milliseconds:

- ``template``: the whole lookup expression, end to end (what the play pays per host);
- ``find``: ``lookup_loader`` finding the plugin (``find_plugin_with_context``, outside the fragment loader);
- ``import``: loading the plugin's module, with every collection module it imports,
  split per module into ``compile:`` (the collection loader compiles from source,
  without bytecode) and ``exec:`` (running the module body, own time);
- ``config_defs``: ``_load_config_defs``, i.e. the plugin's DOCUMENTATION parsed as YAML,
  the doc fragment found, loaded and parsed, and the option definitions registered;
  ``docs_yaml`` and ``fragment`` are its parts;
- ``set_options`` and ``run`` (the lookup's ``run()`` without its ``set_options``);
- ``rest``: ``template`` minus the parts above (templating, plugin instantiation).

Two children are timed for scale: one that templates a static string (``static``,
what benchmark (d)'s static play templates) and one that templates a builtin lookup
the parent has already loaded (``loaded builtin lookup``: the templating and lookup
call overhead no plugin can avoid).
Medians over the children; the emulator must count one API call in all.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import types
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COLLECTION_PREFIX = "ansible_collections.alicloud.ens."
BUILTIN_LOOKUP = "{{ lookup('ansible.builtin.env', 'HOME') }}"


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=40, help="workers to fork, one after the other")
    parser.add_argument("--collections", default=os.environ.get("ENS_TEST_COLLECTIONS_PATH") or str(ROOT / ".build" / "collections"),
                        help="collections path holding ansible_collections/alicloud/ens (default: the installed copy)")
    parser.add_argument("--term", default="ubuntu_22_04_x64")
    parser.add_argument("--json", action="store_true", help="print the medians as JSON too")
    return parser.parse_args(argv)


class Timings:
    """Seconds by label, summed within one child; a stack keeps nested module loads as own time."""

    def __init__(self):
        self.seconds = defaultdict(float)
        self.stack = []

    def add(self, label, seconds):
        self.seconds[label] += seconds


TIMINGS = Timings()


def timed(label_of, function):
    """``function`` wrapped to add its duration under ``label_of(*args, **kwargs)``."""
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            TIMINGS.add(label_of(*args, **kwargs), time.perf_counter() - started)
    wrapper.__wrapped__ = function
    return wrapper


def short(name):
    return name[len(COLLECTION_PREFIX):] if name.startswith(COLLECTION_PREFIX) else name


def instrument():
    """Wrap the loader functions a worker runs; call before forking so every child inherits it."""
    from ansible.plugins import AnsiblePlugin
    from ansible.plugins import loader as plugin_loader
    from ansible.utils import plugin_docs
    from ansible.utils.collection_loader import _collection_finder

    base = _collection_finder._AnsibleCollectionPkgLoaderBase
    original_get_code = base.get_code
    original_exec_module = base.exec_module

    def get_code(self, fullname):
        if self._compiled_code:
            return self._compiled_code
        started = time.perf_counter()
        try:
            return original_get_code(self, fullname)
        finally:
            TIMINGS.add("compile:" + short(fullname), time.perf_counter() - started)

    def exec_module(self, module):
        # compile (unless done already), then the body; the body's own time: a nested import's is taken off its importer's
        TIMINGS.stack.append(0.0)
        started = time.perf_counter()
        if not self._compiled_code:
            original_get_code(self, self._fullname)
        compile_done = time.perf_counter()
        try:
            return original_exec_module(self, module)
        finally:
            elapsed = time.perf_counter() - compile_done
            nested = TIMINGS.stack.pop()
            TIMINGS.add("exec:" + short(self._fullname), elapsed - nested)
            TIMINGS.add("compile:" + short(self._fullname), compile_done - started)
            if TIMINGS.stack:
                TIMINGS.stack[-1] += time.perf_counter() - started

    base.get_code = get_code
    base.exec_module = exec_module

    loader_class = plugin_loader.PluginLoader
    original_load_source = loader_class._load_module_source

    def load_module_source(self, *, python_module_name, path):
        TIMINGS.stack.append(0.0)
        started = time.perf_counter()
        try:
            module = original_load_source(self, python_module_name=python_module_name, path=path)
        finally:
            elapsed = time.perf_counter() - started
            nested = TIMINGS.stack.pop()
            TIMINGS.add("exec:" + short(python_module_name), elapsed - nested)
            TIMINGS.add("load_source:" + short(python_module_name), elapsed)
            if TIMINGS.stack:
                TIMINGS.stack[-1] += elapsed
        lookup_class = getattr(module, "LookupModule", None)
        if python_module_name.endswith("lookup.ens_image") and lookup_class is not None and not hasattr(lookup_class.run, "__wrapped__"):
            lookup_class.run = timed(lambda *a, **k: "run+set_options", lookup_class.run)
        return module

    loader_class._load_module_source = load_module_source
    loader_class._load_config_defs = timed(lambda self, name, *a: "config_defs" if "ens_image" in name else "config_defs:other",
                                           loader_class._load_config_defs)
    loader_class.find_plugin_with_context = timed(lambda self, name, *a, **k: "find:" + str(name), loader_class.find_plugin_with_context)
    plugin_docs.add_fragments = timed(lambda *a, **k: "fragment", plugin_docs.add_fragments)
    plugin_loader.add_fragments = plugin_docs.add_fragments
    # the plugin's own DOCUMENTATION (add_fragments parses the fragment with its own yaml import)
    yaml_module = plugin_loader.yaml
    timed_yaml = types.SimpleNamespace(**dict((name, getattr(yaml_module, name)) for name in dir(yaml_module) if not name.startswith("__")))
    timed_yaml.load = timed(lambda *a, **k: "docs_yaml", yaml_module.load)
    plugin_loader.yaml = timed_yaml
    AnsiblePlugin.set_options = timed(lambda *a, **k: "set_options", AnsiblePlugin.set_options)


def lookup_expression(term, ca_path):
    return "{{ lookup('alicloud.ens.ens_image', '%s', latest=true, ca_path='%s') }}" % (term, ca_path)


def template_once(expression):
    from ansible.parsing.dataloader import DataLoader
    from ansible.template import Templar, trust_as_template

    return Templar(loader=DataLoader(), variables={}).template(trust_as_template(expression))


def child(expression, pipe_out):
    """One worker: template ``expression`` once, write the timings as JSON to ``pipe_out``, exit."""
    TIMINGS.seconds.clear()
    started = time.perf_counter()
    value = template_once(expression)
    total = time.perf_counter() - started
    report = dict(TIMINGS.seconds, template=total, value=None)
    report["value"] = value
    os.write(pipe_out, json.dumps(report, default=str).encode("utf-8"))
    os.close(pipe_out)
    os._exit(0)


def fork_child(expression):
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        try:
            child(expression, write_end)
        finally:
            os._exit(1)
    os.close(write_end)
    chunks = []
    while True:
        chunk = os.read(read_end, 65536)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(read_end)
    _pid, status = os.waitpid(pid, 0)
    if status != 0:
        raise RuntimeError("a child failed (status %d)" % status)
    return json.loads(b"".join(chunks).decode("utf-8"))


def summarise(reports):
    """Medians in ms of every label, with the derived rows (import, config_defs parts, run, rest)."""
    rows = {}
    labels = sorted(set(label for report in reports for label in report if label != "value"))
    for label in labels:
        rows[label] = statistics.median(report.get(label, 0.0) for report in reports) * 1000

    def per_child(report):
        ours = dict((label, seconds) for label, seconds in report.items() if label != "value")
        derived = {
            "import": ours.get("load_source:plugins.lookup.ens_image", 0.0),
            "run": ours.get("run+set_options", 0.0) - ours.get("set_options", 0.0),
            "find": sum(seconds for label, seconds in ours.items() if label.startswith("find:")),
        }
        derived["config_defs.docs_yaml+register"] = ours.get("config_defs", 0.0) - ours.get("fragment", 0.0)
        derived["rest"] = ours["template"] - derived["import"] - ours.get("config_defs", 0.0) - ours.get("run+set_options", 0.0) - derived["find"]
        return derived

    derived = [per_child(report) for report in reports]
    for label in derived[0]:
        rows[label] = statistics.median(entry[label] for entry in derived) * 1000
    return rows


def print_rows(title, rows):
    print(title)
    order = ["template", "find", "import", "config_defs", "config_defs.docs_yaml+register", "fragment", "set_options", "run", "rest"]
    for label in order:
        if label in rows:
            print("  %-40s %7.2f ms" % (label, rows[label]))
    modules = sorted((label for label in rows if label.startswith(("compile:", "exec:", "find:"))), key=lambda label: -rows[label])
    if modules:
        print("  per module (compile = source to code; exec = own time of the body) and per plugin search (find):")
        for label in modules:
            if rows[label] >= 0.05:
                print("    %-60s %6.2f ms" % (label, rows[label]))


def main(argv=None):
    arguments = parse_arguments(argv if argv is not None else sys.argv[1:])
    ca_path = os.environ.get("ENS_EMULATOR_CA_PATH")
    if not os.environ.get("ALIBABA_CLOUD_ENS_ENDPOINT") or not ca_path:
        sys.exit("run under tools/with_emulator.py (it sets ALIBABA_CLOUD_ENS_ENDPOINT and ENS_EMULATOR_CA_PATH)")
    local_temp = tempfile.mkdtemp(prefix="lookup-worker-cost-")
    os.environ["ANSIBLE_LOCAL_TEMP"] = local_temp
    os.environ.setdefault("ANSIBLE_HOME", os.path.join(local_temp, "home"))
    os.environ["ANSIBLE_COLLECTIONS_PATH"] = arguments.collections

    from ansible.plugins.loader import init_plugin_loader

    init_plugin_loader([arguments.collections])
    # the generic lookup machinery, loaded in ansible-playbook's main process before it forks
    template_once(BUILTIN_LOOKUP)
    instrument()

    expression = lookup_expression(arguments.term, ca_path)
    first = fork_child(expression)  # the cache miss: one API call, then the entry is in the run cache
    if not str(first["value"]).startswith(arguments.term):
        sys.exit("the lookup answered %r" % first["value"])
    hits, statics, builtins = [], [], []
    for _number in range(arguments.children):
        hits.append(fork_child(expression))
        statics.append(fork_child("static-image-id"))
        builtins.append(fork_child(BUILTIN_LOOKUP))
    if any(report["value"] != first["value"] for report in hits):
        sys.exit("a cache hit answered something else")
    hit_rows = summarise(hits)
    static_ms = statistics.median(report["template"] for report in statics) * 1000
    builtin_ms = statistics.median(report["template"] for report in builtins) * 1000
    print("collection: %s; %d children; answer %s" % (arguments.collections, arguments.children, first["value"]))
    print_rows("lookup on a cache hit, per worker (medians):", hit_rows)
    print("  %-40s %7.2f ms" % ("static (templating a plain string)", static_ms))
    print("  %-40s %7.2f ms" % ("loaded builtin lookup (env)", builtin_ms))
    if arguments.json:
        print(json.dumps(dict(hit_rows, static=static_ms, builtin_lookup=builtin_ms), sort_keys=True))


if __name__ == "__main__":
    main()
