"""tests/bench/run_bench.py's pieces that need no emulator: --only, partial reports, the emulator CPU reading."""

import datetime
import os
import sys

import pytest

from tests.bench import run_bench

MACHINE = {"nproc": 2, "cpu": "cpu", "python": "3", "ansible_core": "2", "os": "Linux", "load": "0 0 0"}


def test_without_only_every_command_runs_and_the_page_is_written():
    arguments = run_bench.parse_arguments([])
    assert arguments.only is None and not arguments.no_write
    assert arguments.output == str(run_bench.DEFAULT_OUTPUT)
    assert run_bench.all_command_names(arguments) == list(run_bench.BASE_COMMANDS) + ["a_8", "a_16", "a_32", "a_64"]


def test_only_selects_in_table_order_and_implies_no_write():
    arguments = run_bench.parse_arguments(["--only", "d_lookup, a,a_16,c"])
    assert arguments.only == ["a", "c", "d_lookup", "a_16"]
    assert arguments.no_write


def test_only_with_an_explicit_output_writes_there(tmp_path):
    arguments = run_bench.parse_arguments(["--only", "c", "--output", str(tmp_path / "page.md")])
    assert not arguments.no_write and arguments.output == str(tmp_path / "page.md")


@pytest.mark.parametrize("only", ["a,nope", "a_8", ",", ""])
def test_only_refuses_unknown_names(only, capsys):
    with pytest.raises(SystemExit):
        run_bench.parse_arguments(["--only", only, "--sweep", "16"])
    assert "--only" in capsys.readouterr().err


def test_ratios_only_when_both_sides_ran():
    assert run_bench.ratios({"a": 2.0, "d_lookup": 1.0}) == []
    rows = run_bench.ratios({"a": 2.0, "c": 1.6, "e_info": 1.1, "e_ping": 1.0})
    assert [(name, round(ratio, 3), met) for name, _description, ratio, _shown, met in rows] == [
        ("a_vs_c", 1.25, True), ("e", 1.1, True)]


def test_report_of_some_commands():
    arguments = run_bench.parse_arguments(["--only", "a,e_ping", "--runs", "2", "--records", "100"])
    medians, samples = {"a": 2.0, "e_ping": 1.0}, {"a": [2.0, 2.1], "e_ping": [1.0, 0.9]}
    table, machine_lines = run_bench.report(MACHINE, arguments, medians, samples, None, None, 2,
                                            datetime.datetime(2024, 1, 2, tzinfo=datetime.timezone.utc))
    rows = [line for line in table.splitlines() if line.startswith("| (")]
    assert rows == [
        "| (a) `ansible localhost -m alicloud.ens.ens_export_image_info` listing 100 records | 2.00 | 2.00, 2.10 |",
        "| (e) playbook with one `ansible.builtin.ping` task | 1.00 | 1.00, 0.90 |",
        "| (a) API calls of the listing | 2 | 2 pages | yes |",
    ]
    assert "- 2 timed runs of each command" in machine_lines


def test_process_cpu_seconds_counts_this_process():
    before = run_bench.process_cpu_seconds(os.getpid())
    deadline = os.times()[0] + 0.05
    while os.times()[0] < deadline:
        pass
    assert run_bench.process_cpu_seconds(os.getpid()) >= before + 0.04
    assert run_bench.process_cpu_seconds(2 ** 30) is None


def test_timed_runs_record_the_emulator_cpu():
    readings = iter([1.0, 1.5, 2.0, 2.25])
    command = run_bench.Command("x", [sys.executable, "-c", "pass"], dict(os.environ))
    command.run(timed=False, cpu=lambda: 0.0)
    command.run(cpu=lambda: next(readings))
    command.run(cpu=lambda: next(readings))
    assert command.emulator_seconds == [0.5, 0.25] and len(command.seconds) == 2
    assert run_bench.emulator_cpu_lines([command]) == ["emulator CPU (user + system) per run, mean of 2:", "  x          0.375 s"]
    assert "not measured" in run_bench.emulator_cpu_lines([run_bench.Command("y", ["true"], {})])[0]
