"""A local ENS API server for tests, the demo and users' own playbook tests.

    python3 tests/emulator/ens_emulator.py --port PORT [--bind 127.0.0.1]
        [--http | --cert CERT --key KEY]
        [--access-key-id ID --access-key-secret SECRET] [--security-token TOKEN]
        [--latency-ms N] [--export-images N] [--seed N] [--fault KIND:PROBABILITY[:LIMIT] ...]
        [--slow-seconds S] [--retry-after S] [--sts-ttl S] [--ecs-role NAME]

It verifies V1 and V3 signatures with the collection's own signer, answers
DescribeImageInfos and DescribeExportImageInfo in the seed pages' shapes,
STS AssumeRole, the ECS metadata role credentials (``--ecs-role``), and serves
``GET /_emulator/stats`` / ``POST /_emulator/reset``. Once ready it prints one
line, ``listening on <URL>``. Logs go to stderr, never a secret.

Faults (ENS actions only, after signature verification): throttling (400
Throttling.User), unavailable (503), internal (500), reset (TCP reset, no
answer), slow (wait --slow-seconds), html502 (an HTML 502 page), drift (a new
export record appears, so TotalCount changes between calls).

Standard library only (plus ``plugins/module_utils/signing.py`` by file path).
"""

import argparse
import os
import re
import socket
import ssl
import struct
import sys
import threading
import time
import traceback
import uuid
from collections import namedtuple
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

try:
    from . import catalogue, sts
    from .ecs_metadata import NOT_FOUND, EcsMetadata
    from .api_errors import ApiError, invalid_parameter
    from .faults import FAULT_KINDS, FaultInjector, parse_fault_spec
    from .keys import KeyStore
    from .responses import RESET, Response, json_response
    from .signature_check import Request, SignatureVerifier, action_and_version, api_params, is_v3
    from .stats import Stats
except ImportError:
    import catalogue
    import sts
    from ecs_metadata import NOT_FOUND, EcsMetadata
    from api_errors import ApiError, invalid_parameter
    from faults import FAULT_KINDS, FaultInjector, parse_fault_spec
    from keys import KeyStore
    from responses import RESET, Response, json_response
    from signature_check import Request, SignatureVerifier, action_and_version, api_params, is_v3
    from stats import Stats

DEFAULT_ACCESS_KEY_ID = "LTAIemulatorKeyId"
DEFAULT_ACCESS_KEY_SECRET = "emulatorSecret"
ENS_VERSION = "2017-11-10"


def new_request_id():
    return str(uuid.uuid4()).upper()


# --- request parameters (pure) -----------------------------------------------------


def parse_int_param(params, name, default, minimum, maximum=None):
    """An integer parameter within ``[minimum, maximum]``, else ``InvalidParameter.<name>``."""
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise invalid_parameter(name, "%r is not an integer." % raw)
    if value < minimum or (maximum is not None and value > maximum):
        bounds = "at least %d" % minimum if maximum is None else "from %d to %d" % (minimum, maximum)
        raise invalid_parameter(name, "%d is out of range; it must be %s." % (value, bounds))
    return value


def parse_os_type(params):
    os_type = params.get("OsType") or None
    if os_type is not None and os_type not in catalogue.OS_TYPES:
        raise invalid_parameter("OsType", "%r is not one of %s." % (os_type, ", ".join(catalogue.OS_TYPES)))
    return os_type


def export_page(listing, params):
    """The DescribeExportImageInfo answer (without RequestId) for ``params`` over ``listing``.

    ``listing`` holds the records already in ``catalogue.listing_order`` (newest
    first); without an ``ImageId`` / ``ImageName`` filter only the page is copied.
    """
    page_number = parse_int_param(params, "PageNumber", 1, 1)
    page_size = parse_int_param(params, "PageSize", catalogue.DEFAULT_PAGE_SIZE, 1, catalogue.MAX_PAGE_SIZE)
    matching = catalogue.filter_export_records(listing, params.get("ImageId") or None, params.get("ImageName") or None)
    return {
        "Images": {"Image": list(catalogue.page_of(matching, page_number, page_size))},
        "PageNumber": page_number,
        "PageSize": page_size,
        "TotalCount": len(matching),
    }


# --- the application ---------------------------------------------------------------

Route = namedtuple("Route", "version handler injects_faults")
BAD_GATEWAY_HTML = (b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
                    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>Tengine</center>\r\n</body>\r\n</html>\r\n")


class Emulator:
    """Everything the server knows and does, independent of HTTP plumbing."""

    def __init__(self, options, clock=time.time, sleep=time.sleep):
        self.options = options
        self.clock = clock
        self.sleep = sleep
        self.keys = KeyStore(options.access_key_id, options.access_key_secret, options.security_token)
        self.verifier = SignatureVerifier(self.keys)
        self.stats = Stats()
        self.faults = FaultInjector(options.fault, options.seed)
        # The export records in listing order (newest first), as a tuple that is replaced, never
        # changed, when drift adds a record: a request pages through one snapshot without a copy.
        self._records_lock = threading.Lock()
        self._listing = tuple(catalogue.listing_order(catalogue.export_records(options.export_images, options.seed)))
        self.routes = {
            "DescribeImageInfos": Route(ENS_VERSION, self.describe_image_infos, True),
            "DescribeExportImageInfo": Route(ENS_VERSION, self.describe_export_image_info, True),
            "AssumeRole": Route(sts.STS_VERSION, self.assume_role, False),
        }
        self.metadata = None
        if options.ecs_role:
            self.metadata = EcsMetadata(options.ecs_role, self.keys, options.sts_ttl)

    # --- actions: params -> response document (without RequestId) ---

    def describe_image_infos(self, params):
        return {"Code": 0, "Images": {"Image": catalogue.images_for_os_type(parse_os_type(params))}}

    def describe_export_image_info(self, params):
        with self._records_lock:
            listing = self._listing
        return export_page(listing, params)

    def assume_role(self, params):
        return sts.assume_role(params, self.keys, self.clock(), self.options.sts_ttl)

    def add_drift_record(self):
        with self._records_lock:
            record = catalogue.export_record(len(self._listing), self.options.seed)
            self._listing = catalogue.insert_in_listing_order(self._listing, record)

    # --- API requests ---

    def handle_api(self, request):
        """Answer one signed API request: a ``Response`` or ``RESET``.

        The caller counts the request in flight (``stats.tracking``) until the answer is written.
        """
        action, version = action_and_version(request)
        request_id = new_request_id()
        try:
            self._delay()
            document = self._dispatch(request, action, version)
        except ApiError as error:
            self.stats.error(error.code)
            body = error.body(request_id, request.headers.get("host", "ens.aliyuncs.com"))
            return json_response(error.status, body, dict(error.headers, **{"x-acs-request-id": request_id}))
        if document is RESET or isinstance(document, Response):
            return document
        document["RequestId"] = request_id
        return json_response(200, document, {"x-acs-request-id": request_id})

    def _dispatch(self, request, action, version):
        route = self._route(request, action, version)
        self.verifier.verify(request, self.clock())
        self.stats.signature("v3" if is_v3(request) else "v1")
        if route.injects_faults:
            injected = self._inject_fault(action)
            if injected is not None:
                return injected
        return route.handler(api_params(request))

    def _route(self, request, action, version):
        if not action:
            raise _missing_action_or_version(request, "Action")
        route = self.routes.get(action)
        if route is None:
            raise ApiError(404, "InvalidAction.NotFound", "Specified api is not found, please check your url and method.")
        if not version:
            raise _missing_action_or_version(request, "Version")
        if version != route.version:
            raise ApiError(400, "InvalidVersion", "Specified parameter Version %r is not valid for %s." % (version, action))
        return route

    def _inject_fault(self, action):
        """Apply the drawn fault: raise its error, return ``RESET`` / a raw response, or ``None`` to go on."""
        kind = self.faults.draw(action)
        if kind is None:
            return None
        self.stats.fault(kind)
        return getattr(self, "_fault_" + kind)()

    def _fault_throttling(self):
        headers = {}
        if self.options.retry_after:
            headers["x-acs-retry-after"] = "%g" % self.options.retry_after
        raise ApiError(400, "Throttling.User", "Request was denied due to user flow control.", headers)

    def _fault_unavailable(self):
        raise ApiError(503, "ServiceUnavailable", "The request has failed due to a temporary failure of the server.")

    def _fault_internal(self):
        raise ApiError(500, "InternalError", "The request processing has failed due to some unknown error.")

    def _fault_reset(self):
        return RESET

    def _fault_slow(self):
        self.sleep(self.options.slow_seconds)

    def _fault_html502(self):
        return Response(502, BAD_GATEWAY_HTML, "text/html", {})

    def _fault_drift(self):
        self.add_drift_record()

    def _delay(self):
        if self.options.latency_ms:
            self.sleep(self.options.latency_ms / 1000.0)

    # --- ECS instance metadata ---

    def handle_metadata(self, method, path, headers):
        label, response = NOT_FOUND
        if self.metadata is not None:
            label, response = self.metadata.handle(method, path, headers, self.clock())
        self.stats.started(label)
        try:
            self._delay()
        finally:
            self.stats.finished(label)
        if response.status >= 400:
            self.stats.error("EcsMetadata.%d" % response.status)
        return response

    # --- control endpoints ---

    def handle_control(self, method, path):
        if method == "GET" and path == "/_emulator/stats":
            return json_response(200, self.stats.snapshot())
        if method == "POST" and path == "/_emulator/reset":
            self.stats.reset()
            return json_response(200, {"reset": True})
        return json_response(404, {"Code": "NotFound", "Message": "Unknown emulator control path %s." % path})


def _missing_action_or_version(request, name):
    from_headers = "authorization" in request.headers
    if from_headers:
        return ApiError(400, "MissingParameter", 'The header "x-acs-%s" is mandatory for signature V3.' % name.lower())
    return ApiError(400, "Missing%s" % name,
                    'The input parameter "%s" that is mandatory for processing this request is not supplied.' % name)


# --- HTTP plumbing -------------------------------------------------------------------


def headers_of(message):
    """Lower-cased name -> value; repeated headers joined by ``,`` in sorted order (as the SDK signs them)."""
    values = {}
    for name, value in message.items():
        values.setdefault(name.lower(), []).append(value.strip())
    return dict((name, ",".join(sorted(found))) for name, found in values.items())


def form_params(headers, body):
    if headers.get("content-type", "").split(";")[0].strip().lower() != "application/x-www-form-urlencoded":
        return {}
    return dict(parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True))


_QUERY = re.compile(r"\?\S*")


def redact(text):
    """Log lines never carry a query string (it holds signatures and tokens)."""
    return _QUERY.sub("?...", text)


def error_location(error):
    """Exception type and frames, without the message (which could hold a request value)."""
    frames = traceback.extract_tb(error.__traceback__)
    return "%s at %s" % (type(error).__name__, " <- ".join("%s:%d" % (frame.name, frame.lineno) for frame in reversed(frames)))


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body leave in two writes; with Nagle's algorithm the body waits for the
    # client's delayed ACK (~40 ms), which would add a latency the real API does not have.
    disable_nagle_algorithm = True
    server_version = "ens-emulator"
    sys_version = ""
    emulator = None  # set by make_server
    log_note = ""

    def do_GET(self):
        self._handle()

    def do_POST(self):
        self._handle()

    def do_PUT(self):
        self._handle()

    def _handle(self):
        self.log_note = ""
        try:
            self._route()
        except (ConnectionError, ssl.SSLError):
            raise
        except Exception as error:  # an emulator bug must still give the client an answer
            sys.stderr.write("emulator error: %s\n" % error_location(error))
            self._send(json_response(500, {"Code": "EmulatorError", "Message": type(error).__name__}))

    def _route(self):
        url = urlsplit(self.path)
        body = self._read_body()
        headers = headers_of(self.headers)
        if url.path.startswith("/_emulator/"):
            self._send(self.emulator.handle_control(self.command, url.path))
            return
        if url.path.startswith("/latest/"):
            self.log_note = "metadata"
            self._send(self.emulator.handle_metadata(self.command, url.path, headers))
            return
        if url.path != "/" or self.command not in ("GET", "POST"):
            self._send(json_response(404, {"Code": "NotFound", "Message": "Unknown path %s." % url.path}))
            return
        query = dict(parse_qsl(url.query, keep_blank_values=True))
        request = Request(self.command, url.path, query, headers, body, form_params(headers, body))
        self.log_note = action_and_version(request)[0] or ""
        with self.emulator.stats.tracking(self.log_note or "(none)"):
            response = self.emulator.handle_api(request)
            if response is RESET:
                self.log_message("%s %s %s -> connection reset", self.command, url.path, self.log_note)
                self._reset_connection()
                return
            self._send(response)

    def _read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _send(self, response):
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(response.body)

    def _reset_connection(self):
        """Close with a TCP RST and no response at all."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        self.connection.close()

    def log_request(self, code="-", size="-"):
        self.log_message("%s %s %s -> %s", self.command, urlsplit(self.path).path, self.log_note, getattr(code, "value", code))

    def log_message(self, format, *args):
        sys.stderr.write("%s %s\n" % (self.log_date_time_string(), redact(format % args)))


class EmulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    # socketserver's default listen backlog is 5: a client opening dozens of connections at once would see
    # SYNs dropped and retried a second later, a delay no real API endpoint adds.
    request_queue_size = 128

    def handle_error(self, request, client_address):
        error = sys.exc_info()[1]
        sys.stderr.write("connection from %s ended: %s\n" % (client_address[0], type(error).__name__))


def make_server(emulator, bind, port, cert=None, key=None):
    handler = type("BoundHandler", (Handler,), {"emulator": emulator})
    server_class = EmulatorServer
    if ":" in bind:
        server_class = type("EmulatorServer6", (EmulatorServer,), {"address_family": socket.AF_INET6})
    server = server_class((bind, port), handler)
    if cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        # The handshake happens in the request thread, so a slow client cannot block accept().
        server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
    return server


def server_url(server, tls):
    host, port = server.server_address[:2]
    if ":" in host:
        host = "[%s]" % host
    return "%s://%s:%d" % ("https" if tls else "http", host, port)


# --- command line --------------------------------------------------------------------


def fault_spec(text):
    try:
        return parse_fault_spec(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error))


def describe_fault(spec):
    limit = "" if spec.limit is None else ":%d" % spec.limit
    return "%s:%g%s" % (spec.kind, spec.probability, limit)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Local Alibaba Cloud ENS API emulator.")
    parser.add_argument("--port", type=int, required=True, help="TCP port; 0 picks a free one")
    parser.add_argument("--bind", default="127.0.0.1")
    parser.add_argument("--http", action="store_true", help="plain HTTP instead of TLS")
    parser.add_argument("--cert", help="server certificate (PEM) for TLS")
    parser.add_argument("--key", help="server private key (PEM) for TLS")
    parser.add_argument("--access-key-id", default=DEFAULT_ACCESS_KEY_ID)
    parser.add_argument("--access-key-secret", default=DEFAULT_ACCESS_KEY_SECRET)
    parser.add_argument("--security-token", help="require this STS token with the access key")
    parser.add_argument("--latency-ms", type=float, default=0, help="delay every API response")
    parser.add_argument("--export-images", type=int, default=catalogue.DEFAULT_EXPORT_IMAGES,
                        help="number of DescribeExportImageInfo records")
    parser.add_argument("--seed", type=int, default=catalogue.DEFAULT_SEED,
                        help="seed of the export records and the fault draws")
    parser.add_argument("--sts-ttl", type=float, metavar="SECONDS",
                        help="lifetime of temporary keys from AssumeRole and the ECS role (overrides DurationSeconds)")
    parser.add_argument("--ecs-role", metavar="NAME", help="serve ECS instance metadata credentials for this RAM role")
    parser.add_argument("--fault", type=fault_spec, action="append", default=[], metavar="KIND:PROBABILITY[:LIMIT]",
                        help="inject a fault into ENS actions (repeatable); KIND: %s" % ", ".join(FAULT_KINDS))
    parser.add_argument("--exit-with-parent", action="store_true",
                        help="exit when the process that started the emulator is gone (test fixtures)")
    parser.add_argument("--slow-seconds", type=float, default=30, help="how long the slow fault waits")
    parser.add_argument("--retry-after", type=float, metavar="SECONDS",
                        help="throttling answers carry x-acs-retry-after: SECONDS")
    options = parser.parse_args(argv)
    if options.http == bool(options.cert or options.key) or bool(options.cert) != bool(options.key):
        parser.error("give either --http or both --cert and --key")
    if options.export_images < 0:
        parser.error("--export-images must not be negative")
    return options


def exit_when_orphaned(poll_seconds=1.0):
    """Stop this process once its parent is gone, so a killed test run leaves no server behind."""
    parent = os.getppid()

    def watch():
        while os.getppid() == parent:
            time.sleep(poll_seconds)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def main(argv=None):
    options = parse_args(argv)
    if options.exit_with_parent:
        exit_when_orphaned()
    server = make_server(Emulator(options), options.bind, options.port, options.cert, options.key)
    sys.stderr.write("ens emulator: access key id %s, security token %s, %d export records, faults: %s\n" % (
        options.access_key_id, "required" if options.security_token else "not required", options.export_images,
        ", ".join(describe_fault(spec) for spec in options.fault) or "none"))
    print("listening on %s" % server_url(server, not options.http), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
