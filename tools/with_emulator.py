"""Run a command against a freshly started ENS emulator, then stop the emulator.

    .venv/bin/python tools/with_emulator.py [--http] [--emulator-arg=FLAG ...] -- COMMAND [ARG ...]

Starts tests/emulator/ens_emulator.py on a free loopback port, over HTTPS with a
throw-away trustme CA (or plain HTTP with --http), waits until it listens, and
runs COMMAND with these environment variables set:

    ALIBABA_CLOUD_ENS_ENDPOINT        the emulator's URL
    ALIBABA_CLOUD_ACCESS_KEY_ID       the emulator's key (default LTAIemulatorKeyId)
    ALIBABA_CLOUD_ACCESS_KEY_SECRET   its secret (default emulatorSecret)
    ALIBABA_CLOUD_ENS_SIGNATURE_VERSION  v3
    ENS_EMULATOR_CA_PATH              the CA file to pass as ca_path (unset with --http)

The emulator is stopped whatever happens: on success, on failure, on Ctrl-C and
on SIGTERM. The exit status is COMMAND's. Emulator flags go through
--emulator-arg, one per flag or value (``--emulator-arg=--latency-ms --emulator-arg=50``).
"""

import argparse
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fixtures.emulator import EmulatorProcess, TlsCertificates  # noqa: E402  pylint: disable=wrong-import-position

CA_PATH_VARIABLE = "ENS_EMULATOR_CA_PATH"


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--http", action="store_true", help="plain HTTP instead of HTTPS")
    parser.add_argument("--emulator-arg", action="append", default=[], metavar="FLAG",
                        help="one extra emulator command-line word (repeatable)")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- COMMAND [ARG ...]")
    arguments = parser.parse_args(argv)
    if arguments.command[:1] == ["--"]:
        arguments.command = arguments.command[1:]
    if not arguments.command:
        parser.error("no command given (put it after --)")
    return arguments


def command_environment(emulator):
    env = dict(os.environ)
    env.update(emulator.env())
    env.pop(CA_PATH_VARIABLE, None)
    if emulator.ca_path:
        env[CA_PATH_VARIABLE] = emulator.ca_path
    return env


def raise_on_sigterm(signum, frame):
    raise SystemExit(128 + signum)


def run_with_emulator(arguments, workdir):
    certificates = None if arguments.http else TlsCertificates(workdir)
    emulator = EmulatorProcess(arguments.emulator_arg, certificates, workdir)
    try:
        print("with_emulator: ENS emulator listening on %s (key ID %s%s)" % (
            emulator.url, emulator.access_key_id, ", CA %s" % emulator.ca_path if emulator.ca_path else ""), flush=True)
        return subprocess.call(arguments.command, env=command_environment(emulator))
    finally:
        emulator.stop()
        print("with_emulator: emulator stopped", flush=True)


def main(argv=None):
    arguments = parse_arguments(sys.argv[1:] if argv is None else argv)
    signal.signal(signal.SIGTERM, raise_on_sigterm)
    with tempfile.TemporaryDirectory(prefix="ens-emulator-") as workdir:
        return run_with_emulator(arguments, Path(workdir))


if __name__ == "__main__":
    sys.exit(main())
