"""kuard ("KUAR Demo", from *Kubernetes: Up and Running*) re-implemented for the simulator.

Run as a standalone script by the container runtime (standard library only, no package
imports): ``python -I kuard.py [kuard flags]``. It behaves as the real server does for a
learner (see /work/shared/reference/kuard.md): the startup log on stderr with Go's timestamps,
one log line per request before it is handled, ``/healthy`` and ``/ready`` whose failures are
controlled over ``/healthy/api`` and ``/ready/api`` (``{"failNext": N}``), ``/env/api``,
``/mem/api`` with allocations that really grow the resident set, ``/fs/`` (the container's
files), ``/dns/api``, the MemQ work queue, the keygen workload (simulated: a random fingerprint
per key after 0.1-0.3 s of hashing, so that, like RSA-4096 generation, it keeps a CPU busy and
can drive a HorizontalPodAutoscaler), ``/metrics``, TLS on 8443 when ``/tls/kuard.{crt,key}`` exist, and
for v0.10.0 images every route again under ``/a``, ``/b`` and ``/c``.

The runtime passes what a real container would know through variables it removes from the
environment before anything can see them: ``PYKCTL_KUARD_VERSION`` (the image tag's version
string), ``PYKCTL_POD_IP`` (where ``:8080`` binds), ``PYKCTL_HOSTNAME`` and, without a sandbox,
``PYKCTL_FS_MAP`` (container paths to host paths). SIGTERM ends the process at once with exit
code 2, as Go does for an unhandled signal in PID 1.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import html
import json
import mimetypes
import os
import random
import secrets
import signal
import socket
import ssl
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

VERSION = os.environ.pop("PYKCTL_KUARD_VERSION", "v0.10.0-blue")
POD_IP = os.environ.pop("PYKCTL_POD_IP", "0.0.0.0")
HOSTNAME = os.environ.pop("PYKCTL_HOSTNAME", socket.gethostname())
FS_MAP: dict[str, str] = json.loads(os.environ.pop("PYKCTL_FS_MAP", "{}") or "{}")
os.environ.pop("PYKCTL_PORT_OFFSET", None)
for _name in ["PWD", *os.environ.pop("PYKCTL_UNSET", "").split(",")]:
    os.environ.pop(_name, None)  # set by the launcher or Python's locale coercion, not the pod
OLD = VERSION.startswith(("v0.8.", "v0.7."))
PREFIXES = ("",) if OLD else ("", "/a", "/b", "/c")
_LOG_LOCK = threading.Lock()
STARS = "*" * 70


def log(message: str) -> None:
    """Go's standard logger on stderr: ``2006/01/02 15:04:05 message``."""
    stamp = time.strftime("%Y/%m/%d %H:%M:%S", time.gmtime())
    if not message.endswith("\n"):
        message += "\n"
    with _LOG_LOCK:
        sys.stderr.write(f"{stamp} {message}")
        sys.stderr.flush()


def go_json(value: Any, indent: int | None = None) -> str:
    """encoding/json output: compact (or indented), HTML characters escaped."""
    separators = (",", ":") if indent is None else (",", ": ")
    text = json.dumps(value, separators=separators, indent=indent, ensure_ascii=False)
    for char, escaped in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"),
                          ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):  # fmt: skip
        text = text.replace(char, escaped)
    return text


# --------------------------------------------------------------------------- flags

FLAGS: dict[str, tuple[str, Any, str]] = {
    "address": ("string", ":8080", "The address to serve on"),
    "debug": ("bool", False, "Debug/Developer mode"),
    "debug-sitedata-dir": (
        "string",
        "./sitedata",
        "When in debug/dev mode, directory to find the static assets.",
    ),
    "keygen-enable": ("bool", False, "Enable KeyGen workload"),
    "keygen-exit-code": ("int", 0, "Exit code when workload complete"),
    "keygen-exit-on-complete": ("bool", False, "Exit after workload is complete"),
    "keygen-memq-queue": (
        "string",
        "",
        "The MemQ server queue to use. If MemQ is used, other limits are ignored.",
    ),
    "keygen-memq-server": (
        "string",
        "",
        "The MemQ server to draw work items from.  If MemQ is used, other limits are ignored.",
    ),
    "keygen-num-to-gen": ("int", 0, "The number of keys to generate. Set to 0 for infinite"),
    "keygen-time-to-run": ("int", 0, "The target run time in seconds. Set to 0 for infinite"),
    "liveness-fail-next": ("int", 0, "Fail the next N liveness checks"),
    "readiness-fail-next": ("int", 0, "Fail the next N readiness checks"),
    "tls-address": ("string", ":8443", "The address to serve TLS on"),
    "tls-dir": ("string", "/tls", "The directory with certs/keys for TLS"),
}


def usage() -> str:
    """pflag's ``Usage of /kuard:`` and its aligned flag list."""
    lines = []
    for name in sorted(FLAGS):
        kind, default, text = FLAGS[name]
        head = f"      --{name}" + ("" if kind == "bool" else f" {kind}")
        if kind == "string" and default:
            text += f' (default "{default}")'
        lines.append((head, text))
    width = max(len(head) for head, _ in lines) + 1  # pflag counts its alignment marker
    body = "".join(f"{head} {' ' * (width - len(head))} {text}\n" for head, text in lines)
    return "Usage of /kuard:\n" + body


def fail(message: str) -> None:
    sys.stderr.write(message + "\n" + usage())
    sys.exit(2)


def parse_flags(argv: list[str]) -> dict[str, Any]:
    """pflag with ExitOnError: ``--name=value``, ``--name value``, bare bools."""
    values = {name: default for name, (_, default, _) in FLAGS.items()}
    i = 0
    while i < len(argv):
        arg = argv[i]
        i += 1
        if arg == "--":
            break
        if arg in ("-h", "--help"):
            sys.stderr.write(usage())
            sys.exit(0)
        if not arg.startswith("-") or arg == "-":
            continue
        if not arg.startswith("--"):
            fail(f"unknown shorthand flag: '{arg[1]}' in {arg}")
        name, has_value, value = arg[2:].partition("=")
        if name not in FLAGS:
            fail(f"unknown flag: --{name}")
        kind = FLAGS[name][0]
        if kind == "bool":
            if has_value:
                if value.lower() not in ("1", "t", "true", "0", "f", "false"):
                    fail(
                        f'invalid argument "{value}" for "--{name}" flag: strconv.ParseBool: parsing "{value}": invalid syntax'
                    )
                values[name] = value.lower() in ("1", "t", "true")
            else:
                values[name] = True
            continue
        if not has_value:
            if i >= len(argv):
                fail(f"flag needs an argument: --{name}")
            value = argv[i]
            i += 1
        if kind == "int":
            try:
                values[name] = int(value, 0)
            except ValueError:
                fail(
                    f'invalid argument "{value}" for "--{name}" flag: strconv.ParseInt: parsing "{value}": invalid syntax'
                )
        else:
            values[name] = value
    return values


def settings(flags: dict[str, Any]) -> dict[str, Any]:
    """viper's AllSettings(): nested by the flag names' prefixes."""
    return {
        "address": flags["address"],
        "debug": flags["debug"],
        "debug-sitedata-dir": flags["debug-sitedata-dir"],
        "keygen": {
            "enable": flags["keygen-enable"],
            "exit-code": flags["keygen-exit-code"],
            "exit-on-complete": flags["keygen-exit-on-complete"],
            "memq-queue": flags["keygen-memq-queue"],
            "memq-server": flags["keygen-memq-server"],
            "num-to-gen": flags["keygen-num-to-gen"],
            "time-to-run": flags["keygen-time-to-run"],
        },
        "liveness": {"fail-next": flags["liveness-fail-next"]},
        "readiness": {"fail-next": flags["readiness-fail-next"]},
        "tls-address": flags["tls-address"],
        "tls-dir": flags["tls-dir"],
    }


# ------------------------------------------------------------------------- helpers


def go_stamp(moment: datetime.datetime) -> str:
    """Go's time.Stamp: ``Jan _2 15:04:05``."""
    return moment.strftime("%b ") + f"{moment.day:>2}" + moment.strftime(" %H:%M:%S")


def humanize(moment: datetime.datetime) -> str:
    """go-humanize's Time(): ``now``, ``3 seconds ago``, ``1 minute ago`` ..."""
    seconds = (datetime.datetime.now(datetime.timezone.utc) - moment).total_seconds()
    for limit, unit, size in ((60, "second", 1), (3600, "minute", 60), (86400, "hour", 3600)):
        if seconds < limit:
            count = int(seconds // size)
            if unit == "second" and count < 1:
                return "now"
            return f"1 {unit} ago" if count == 1 else f"{count} {unit}s ago"
    days = int(seconds // 86400)
    return "1 day ago" if days == 1 else f"{days} days ago"


def fnv1a(text: str) -> int:
    value = 0x811C9DC5
    for byte in text.encode():
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value


def canonical_header(name: str) -> str:
    return "-".join(part[:1].upper() + part[1:].lower() for part in name.split("-"))


class Probe:
    """One debug probe (/healthy or /ready): fail the next N calls, or always, or never."""

    def __init__(self, path: str, fail_next: int) -> None:
        self.path = path
        self.fail_next = fail_next
        self.history: deque[dict[str, Any]] = deque(maxlen=20)
        self.next_id = 1
        self.lock = threading.Lock()

    def check(self) -> tuple[int, str]:
        with self.lock:
            if self.fail_next > 0:
                self.fail_next -= 1
                code, body = 500, f"fail, {self.fail_next} left"
            elif self.fail_next < 0:
                code, body = 500, "fail, permanent"
            else:
                code, body = 200, "ok"
            self.history.appendleft(
                {
                    "id": self.next_id,
                    "when": datetime.datetime.now(datetime.timezone.utc),
                    "code": code,
                }
            )
            self.next_id += 1
            return code, body

    def status(self) -> dict[str, Any]:
        with self.lock:
            return {
                "probePath": self.path if OLD else "",
                "failNext": self.fail_next,
                "history": [
                    {
                        "id": h["id"],
                        "when": go_stamp(h["when"]),
                        "relWhen": humanize(h["when"]),
                        "code": h["code"],
                    }
                    for h in self.history
                ],
            }


class Memory:
    """Allocations that stay resident until cleared."""

    CHUNK = 16 * 1024 * 1024

    def __init__(self) -> None:
        self.buffers: list[bytearray] = []
        self.lock = threading.Lock()

    def allocate(self, size: int) -> None:
        while size > 0:
            part = min(size, self.CHUNK)
            block = bytearray(b"x") * part
            with self.lock:
                self.buffers.append(block)
            size -= part
            time.sleep(0.005)  # let the node's memory enforcement see the growth

    def clear(self) -> None:
        with self.lock:
            self.buffers.clear()

    def stats(self) -> dict[str, Any]:
        with self.lock:
            held = sum(len(b) for b in self.buffers)
        try:
            with open("/proc/self/statm", encoding="utf-8") as f:
                pages = [int(x) for x in f.read().split()]
            page = os.sysconf("SC_PAGE_SIZE")
            sys_bytes, rss = pages[0] * page, pages[1] * page
        except (OSError, ValueError):
            sys_bytes = rss = held
        heap = held + 2_000_000
        return {
            "Alloc": heap, "TotalAlloc": heap, "Sys": sys_bytes, "Lookups": 0,
            "Mallocs": len(self.buffers) + 10_000, "Frees": 5_000, "HeapAlloc": heap,
            "HeapSys": max(rss, heap), "HeapIdle": max(0, rss - heap), "HeapInuse": heap,
            "HeapReleased": 0, "HeapObjects": len(self.buffers) + 5_000, "StackInuse": 655_360,
            "StackSys": 655_360, "MSpanInuse": 40_000, "MSpanSys": 49_152, "MCacheInuse": 6_944,
            "MCacheSys": 16_384, "BuckHashSys": 1_444_581, "GCSys": 2_240_512, "OtherSys": 1_000_000,
            "NextGC": heap * 2, "LastGC": 0, "PauseTotalNs": 0, "PauseNs": [0] * 256,
            "PauseEnd": [0] * 256, "NumGC": 0, "NumForcedGC": 0, "GCCPUFraction": 0,
            "EnableGC": True, "DebugGC": False,
            "BySize": [{"Size": size, "Mallocs": 0, "Frees": 0} for size in
                       [0, 8, 16, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256,
                        288, 320, 352, 384, 416, 448, 480, 512, 576, 640, 704, 768, 896, 1024, 1152,
                        1280, 1408, 1536, 1792, 2048, 2304, 2688, 3072, 3200, 3456, 4096, 4864, 5376,
                        6144, 6528, 6784, 6912, 8192, 9472, 9728, 10240, 10880, 12288, 13568, 14336,
                        16384, 18432, 19072]],
        }  # fmt: skip


class MemQ:
    """The in-memory work queue broker."""

    def __init__(self) -> None:
        self.queues: dict[str, dict[str, Any]] = {}
        self.lock = threading.Lock()

    def stats(self) -> dict[str, Any]:
        with self.lock:
            return {
                "kind": "stats",
                "queues": [
                    {"name": name, "depth": len(q["items"]), "enqueued": q["enqueued"],
                     "dequeued": q["dequeued"], "drained": q["drained"]}
                    for name, q in sorted(self.queues.items())
                ],
            }  # fmt: skip


class KeyGen:
    """The keygen workload: a key (simulated) at a time, logged and kept in a short history."""

    def __init__(self, flags: dict[str, Any]) -> None:
        self.config = {
            "enable": flags["keygen-enable"],
            "numToGen": flags["keygen-num-to-gen"],
            "timeToRun": flags["keygen-time-to-run"],
            "memQServer": flags["keygen-memq-server"],
            "memQQueue": flags["keygen-memq-queue"],
            "exitOnComplete": flags["keygen-exit-on-complete"],
            "exitCode": flags["keygen-exit-code"],
        }
        self.history: deque[dict[str, Any]] = deque(maxlen=20)
        self.next_line = 0
        self.workload_id = -1
        self.lock = threading.Lock()
        self.stop_event = threading.Event()

    def out(self, message: str) -> None:
        log(message)
        with self.lock:
            self.history.append({"id": self.next_line, "data": message})
            self.next_line += 1

    def state(self) -> dict[str, Any]:
        with self.lock:
            return {"config": dict(self.config), "history": list(self.history)}

    def restart(self, config: dict[str, Any]) -> None:
        self.stop_event.set()
        with self.lock:
            self.config = config
        self.start()

    def start(self) -> None:
        self.stop_event = threading.Event()
        if not self.config.get("enable"):
            return
        self.workload_id += 1
        thread = threading.Thread(
            target=self._run,
            args=(self.workload_id, self.stop_event, dict(self.config)),
            daemon=True,
        )
        thread.start()

    @staticmethod
    def _digest() -> str:
        deadline = time.monotonic() + random.uniform(0.1, 0.3)
        block = secrets.token_bytes(64)
        while time.monotonic() < deadline:  # CPU-bound, as generating an RSA-4096 key is
            for _ in range(1000):
                block = hashlib.sha512(block).digest()
        return "SHA256:" + base64.b64encode(secrets.token_bytes(32)).decode().rstrip("=")

    def _run(self, workload: int, stop: threading.Event, config: dict[str, Any]) -> None:
        if config.get("memQServer") and config.get("memQQueue"):
            self._memq(stop, config)
            return
        self.out(f"(ID {workload}) Workload starting")
        count, limit, seconds = (
            0,
            int(config.get("numToGen") or 0),
            int(config.get("timeToRun") or 0),
        )
        started = time.monotonic()
        finished = False
        while not stop.is_set():
            digest = self._digest()
            count += 1
            left = ""
            if seconds:
                left = f" {max(0, int(seconds - (time.monotonic() - started)))} seconds left"
            total = str(limit) if limit else "Inf"
            self.out(f"(ID {workload} {count}/{total}{left}) Item done: {digest}")
            if (limit and count >= limit) or (seconds and time.monotonic() - started >= seconds):
                finished = True
                break
        self.out(f"(ID {workload}) Workload exiting")
        if finished and config.get("exitOnComplete"):
            os._exit(int(config.get("exitCode") or 0))

    def _memq(self, stop: threading.Event, config: dict[str, Any]) -> None:
        self.out("MemQ Worker starting")
        url = f"{str(config['memQServer']).rstrip('/')}/queues/{config['memQQueue']}/dequeue"
        while not stop.is_set():
            try:
                with urllib.request.urlopen(
                    urllib.request.Request(url, data=b"", method="POST"), timeout=10
                ) as response:
                    if response.status == 204:
                        if config.get("exitOnComplete"):
                            self.out("MemQ Worker shutting down")
                            os._exit(int(config.get("exitCode") or 0))
                        self.out("Queue is empty. Retrying after 1s.")
                        time.sleep(1)
                        continue
                    response.read()
                self.out(f"Item done: {self._digest()}")
            except (OSError, urllib.error.URLError) as err:
                self.out(f"Error talking to server: {err} Retrying after 1s.")
                time.sleep(1)
        self.out("MemQ Worker shutting down")


# ---------------------------------------------------------------------------- page

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>KUAR Demo</title>
<style>
body{font-family:Helvetica,Arial,sans-serif;margin:0;background:#f5f5f5;color:#333}
.warning{background:#d9534f;color:#fff;padding:8px 16px}
header{padding:8px 16px;background:#fff;border-bottom:1px solid #ddd}
nav{float:left;width:200px;padding:8px}nav a{display:block;padding:6px;color:#337ab7;text-decoration:none}
main{margin-left:220px;padding:8px 16px}pre{background:#fff;border:1px solid #ddd;padding:8px;overflow:auto}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:2px 8px}
</style>
</head>
<body>
<div class="warning"><b>WARNING:</b> This server may expose sensitive and secret information. Be careful.</div>
<header><h2 id="hostname"></h2><div>Demo application version <i id="version"></i></div><div id="serving"></div></header>
<nav>
<a href="#" data-tab="request">Request Details</a><a href="#" data-tab="env">Server Env</a>
<a href="#" data-tab="mem">Memory</a><a href="#" data-tab="liveness">Liveness Probe</a>
<a href="#" data-tab="readiness">Readiness Probe</a><a href="#" data-tab="dns">DNS Query</a>
<a href="#" data-tab="keygen">KeyGen Workload</a><a href="#" data-tab="memq">MemQ Server</a>
<a href="#" data-tab="fs">File system browser</a>
</nav>
<main id="main"></main>
<script>
var pageContext = __CONTEXT__;
var base = pageContext.urlBase, timer = null;
document.getElementById("hostname").textContent = pageContext.hostname;
document.getElementById("version").textContent = pageContext.version;
document.getElementById("serving").textContent = "Serving on " + pageContext.addrs.join(", ");
function esc(s){return String(s).replace(/[&<>]/g,function(c){return {"&":"&amp;","<":"&lt;",">":"&gt;"}[c];});}
function main(h){document.getElementById("main").innerHTML=h;}
function api(method,path,body){return fetch(base+path,{method:method,body:body}).then(function(r){return r.status==200&&r.headers.get("Content-Type")=="application/json"?r.json():r.text();});}
function probe(name){
  function show(s){var state=s.failNext==0?"Probe will permanently succeed":(s.failNext<0?"Probe will permanently fail":"Probe will fail for next "+s.failNext+" calls");
    var rows=s.history.map(function(h){return "<tr><td>"+h.id+"</td><td>"+esc(h.when)+"</td><td>"+esc(h.relWhen)+"</td><td>"+h.code+"</td></tr>";}).join("");
    main("<h3>"+name+" probe</h3><p>"+state+"</p><p><a href='#' onclick='return setp(\\""+name+"\\",0)'>Succeed</a> | <a href='#' onclick='return setp(\\""+name+"\\",-1)'>Fail</a> | Fail for next N calls: "+[1,2,3,5,10].map(function(n){return "<a href='#' onclick='return setp(\\""+name+"\\","+n+")'>"+n+"</a>";}).join(" ")+"</p><table><tr><th>ID</th><th colspan=2>When</th><th>Status</th></tr>"+rows+"</table>");}
  api("GET","/"+name+"/api").then(show);
}
function setp(name,n){api("PUT","/"+name+"/api",JSON.stringify({failNext:n}));return false;}
var tabs={
 request:function(){main("<p>Proto: "+esc(pageContext.requestProto)+"</p><p>Client addr: "+esc(pageContext.requestAddr)+"</p><p>Dump:</p><pre>"+esc(pageContext.requestDump)+"</pre>");},
 env:function(){api("GET","/env/api").then(function(e){main("<h3>Command line</h3><pre>"+esc(e.commandLine.join(" "))+"</pre><table><tr><th>Key</th><th>Value</th></tr>"+Object.keys(e.env).sort().map(function(k){return "<tr><td>"+esc(k)+"</td><td>"+esc(e.env[k])+"</td></tr>";}).join("")+"</table>");});},
 mem:function(){api("GET","/mem/api").then(function(m){var s=m.memStats;main("<table><tr><td>HeapAlloc</td><td>"+s.HeapAlloc+"</td></tr><tr><td>HeapIdle - HeapReleased</td><td>"+(s.HeapIdle-s.HeapReleased)+"</td></tr><tr><td>StackInuse</td><td>"+s.StackInuse+"</td></tr><tr><td>Total</td><td>"+s.Sys+"</td></tr></table><p>Allocate/Clear memory to force OOM</p><a href='#' onclick='api(\\"POST\\",\\"/mem/api/alloc?size=524288000\\");return false'>Allocate 500 MiB</a> | <a href='#' onclick='api(\\"POST\\",\\"/mem/api/clear\\");return false'>Clear</a>");});},
 liveness:function(){probe("healthy");}, readiness:function(){probe("ready");},
 dns:function(){main("<input id=q value=''> <button onclick='api(\\"POST\\",\\"/dns/api\\",JSON.stringify({type:\\"A\\",name:document.getElementById(\\"q\\").value})).then(function(r){document.getElementById(\\"r\\").textContent=r.result||r;})'>Query</button><pre id=r></pre>");},
 keygen:function(){api("GET","/keygen").then(function(k){main("<pre>"+esc(JSON.stringify(k.config,null,2))+"</pre><pre>"+esc(k.history.map(function(h){return h.data;}).join("\\n"))+"</pre>");});},
 memq:function(){api("GET","/memq/server/stats").then(function(s){main("<pre>"+esc(JSON.stringify(s,null,2))+"</pre>");});},
 fs:function(){window.location=base+"/fs/";}
};
document.querySelectorAll("nav a").forEach(function(a){a.onclick=function(){var t=a.getAttribute("data-tab");history.pushState(null,"",base+"/-/"+t);clearInterval(timer);tabs[t]();if(t!="request"&&t!="fs"&&t!="dns")timer=setInterval(tabs[t],1000);return false;};});
var start=window.location.pathname.slice(base.length).replace(/^\\/-\\//,"");(tabs[start]||tabs.request)();
</script>
</body>
</html>
"""


# -------------------------------------------------------------------------- server


class State:
    """Everything the handlers share (one per process, shared by every prefix)."""

    def __init__(self, flags: dict[str, Any], argv: list[str]) -> None:
        self.flags = flags
        self.argv = argv
        self.liveness = Probe("/healthy", flags["liveness-fail-next"])
        self.readiness = Probe("/ready", flags["readiness-fail-next"])
        self.memory = Memory()
        self.memq = MemQ()
        self.keygen = KeyGen(flags)
        self.template_loaded = False
        self.requests: dict[tuple[str, str, int], int] = {}
        self.lock = threading.Lock()


STATE: State


def host_path(path: str) -> str:
    """Where a container path is on this machine (a sandbox sees its own paths)."""
    for destination in sorted(FS_MAP, key=len, reverse=True):
        if path == destination or path.startswith(destination.rstrip("/") + "/"):
            return FS_MAP[destination] + path[len(destination) :]
    return path


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # as Go's net/http: a kept-alive client gets no 40 ms stalls
    server_version = ""
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        return

    def version_string(self) -> str:
        return ""

    def send_response(self, code: int, message: str | None = None) -> None:
        self.send_response_only(code, message)
        self.send_header("Date", self.date_time_string())
        self.status_code = code

    def reply(self, code: int, body: bytes | str, content_type: str = "text/plain; charset=utf-8",
              headers: dict[str, str] | None = None) -> None:  # fmt: skip
        data = body.encode() if isinstance(body, str) else body
        self.send_response(code)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def reply_json(self, value: Any) -> None:
        self.reply(200, go_json(value) + "\n", "application/json", {
            "Cache-Control": "no-cache, private, max-age=0",
            "Expires": "Thu, 01 Jan 1970 00:00:00 UTC",
            "Pragma": "no-cache",
        })  # fmt: skip

    def not_found(self) -> None:
        self.reply(404, "404 page not found\n")

    def body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except (ConnectionError, TimeoutError):
            self.close_connection = True

    def do_GET(self) -> None:
        self.route()

    do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_GET

    def route(self) -> None:
        log(f"{self.client_address[0]}:{self.client_address[1]} {self.command} {self.path}")
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        base = ""
        for prefix in PREFIXES[1:]:
            if path == prefix or path.startswith(prefix + "/"):
                base, path = prefix, path[len(prefix) :] or "/"
                break
        self.base, self.query = base, parse_qs(parts.query)
        routes: dict[str, dict[str, Any]] = {
            "/": {"GET": self.page}, "/healthy": {"GET": lambda: self.probe(STATE.liveness)},
            "/ready": {"GET": lambda: self.probe(STATE.readiness)},
            "/healthy/api": {"GET": lambda: self.probe_api(STATE.liveness), "PUT": lambda: self.probe_set(STATE.liveness)},
            "/ready/api": {"GET": lambda: self.probe_api(STATE.readiness), "PUT": lambda: self.probe_set(STATE.readiness)},
            "/env/api": {"GET": self.env}, "/mem/api": {"GET": self.mem},
            "/mem/api/alloc": {"POST": self.alloc}, "/mem/api/clear": {"POST": self.clear},
            "/dns/api": {"POST": self.dns}, "/keygen": {"GET": self.keygen_get, "PUT": self.keygen_put},
            "/metrics": {"GET": self.metrics}, "/memq/server/stats": {"GET": self.memq_stats},
        }  # fmt: skip
        handlers = routes.get(path)
        if handlers is None:
            for catch_all, methods in (("/-/", {"GET": self.page}), ("/static/", {"GET": self.asset}),
                                       ("/built/", {"GET": self.asset}), ("/fs/", {"GET": self.fs})):  # fmt: skip
                if path.startswith(catch_all) or (
                    path == catch_all.rstrip("/") and catch_all == "/fs/"
                ):
                    handlers = methods
                    break
        if handlers is None and path.startswith("/memq/server/queues/"):
            handlers = self.memq_routes(path[len("/memq/server/queues/") :])
        if handlers is None:
            stripped = path.rstrip("/") if path != "/" else path
            if stripped != path and stripped in routes and self.command == "GET":
                self.reply(301, "", "", {"Location": base + stripped})
                return
            self.not_found()
            return
        handler = handlers.get(self.command)
        if handler is None:
            self.reply(405, "Method Not Allowed\n", headers={"Allow": ", ".join(sorted(handlers))})
            return
        handler()
        with STATE.lock:
            key = (self.command, path, getattr(self, "status_code", 200))
            STATE.requests[key] = STATE.requests.get(key, 0) + 1

    # ---- pages

    def page(self) -> None:
        if not STATE.template_loaded or STATE.flags["debug"]:
            STATE.template_loaded = True
            log("Loading template for index.html")
        dump = f"{self.command} {self.path} {self.request_version}\r\nHost: {self.headers.get('Host', '')}\r\n"
        names = sorted({canonical_header(n) for n in self.headers if n.lower() != "host"})
        for name in names:
            for value in self.headers.get_all(name) or []:
                dump += f"{name}: {value}\r\n"
        dump += "\r\n"
        context = {
            "urlBase": self.base, "hostname": HOSTNAME, "addrs": [POD_IP], "version": VERSION,
            "versionColor": f"hsl({fnv1a(VERSION) % 360},100%,50%)", "requestDump": dump,
            "requestProto": self.request_version, "requestAddr": f"{self.client_address[0]}:{self.client_address[1]}",
        }  # fmt: skip
        self.reply(200, PAGE.replace("__CONTEXT__", go_json(context)), "text/html")

    def asset(self) -> None:
        self.not_found()

    def metrics(self) -> None:
        lines = ["# HELP request_duration_seconds Time serving HTTP request",
                 "# TYPE request_duration_seconds histogram"]  # fmt: skip
        with STATE.lock:
            for (method, route, code), count in sorted(STATE.requests.items()):
                labels = f'method="{method}",route="{route}",status_code="{code}"'
                lines.append(f'request_duration_seconds_bucket{{{labels},le="+Inf"}} {count}')
                lines.append(f"request_duration_seconds_count{{{labels}}} {count}")
        self.reply(200, "\n".join(lines) + "\n", "text/plain; version=0.0.4")

    # ---- probes

    def probe(self, probe: Probe) -> None:
        code, body = probe.check()
        self.reply(code, body, "text/plain")

    def probe_api(self, probe: Probe) -> None:
        self.reply_json(probe.status())

    def probe_set(self, probe: Probe) -> None:
        try:
            config = json.loads(self.body() or b"null") or {}
            fail_next = int(config.get("failNext", 0)) if isinstance(config, dict) else 0
        except (ValueError, TypeError) as err:
            self.reply(400, f"{err}\n")
            return
        with probe.lock:
            probe.fail_next = fail_next
        self.reply_json(probe.status())

    # ---- env, memory, dns

    def env(self) -> None:
        self.reply_json(
            {"commandLine": ["/kuard", *STATE.argv], "env": dict(sorted(os.environ.items()))}
        )

    def mem(self) -> None:
        self.reply_json({"memStats": STATE.memory.stats()})

    def alloc(self) -> None:
        size_values = self.query.get("size")
        if not size_values:
            self.reply(400, "size not specified\n")
            return
        try:
            size = int(size_values[0])
        except ValueError:
            self.reply(400, "bad size param\n")
            return
        if size < 0:
            self.close_connection = True
            return
        STATE.memory.allocate(size)
        self.reply(200, "", "")

    def clear(self) -> None:
        STATE.memory.clear()
        self.reply(200, "", "")

    def dns(self) -> None:
        try:
            query = json.loads(self.body() or b"{}")
        except ValueError as err:
            self.reply(400, f"{err}\n")
            return
        kind = str(query.get("type") or "A").upper()
        if kind not in ("A", "AAAA", "CNAME", "MX", "NS", "PTR", "SRV", "TXT", "SOA", "ANY"):
            self.reply(400, f"Unknown DNS type: {query.get('type')}\n")
            return
        self.reply_json({"result": dns_answer(str(query.get("name") or "."), kind)})

    # ---- keygen

    def keygen_get(self) -> None:
        self.reply_json(STATE.keygen.state())

    def keygen_put(self) -> None:
        try:
            config = json.loads(self.body() or b"{}")
        except ValueError as err:
            self.reply(400, f"{err}\n")
            return
        defaults = {"enable": False, "numToGen": 0, "timeToRun": 0, "memQServer": "", "memQQueue": "",
                    "exitOnComplete": False, "exitCode": 0}  # fmt: skip
        STATE.keygen.restart({key: config.get(key, value) for key, value in defaults.items()})
        self.reply_json(STATE.keygen.state())

    # ---- memq

    def memq_stats(self) -> None:
        self.reply_json(STATE.memq.stats())

    def memq_routes(self, rest: str) -> dict[str, Any] | None:
        name, _, action = rest.partition("/")
        if not name:
            return None
        if not action:
            return {"PUT": lambda: self.memq_create(name), "DELETE": lambda: self.memq_delete(name)}
        if action in ("drain", "enqueue", "dequeue"):
            return {"POST": lambda: self.memq_action(name, action)}
        return None

    def memq_create(self, name: str) -> None:
        with STATE.memq.lock:
            if name in STATE.memq.queues:
                self.reply(400, "already exists\n")
                return
            STATE.memq.queues[name] = {"items": deque(), "enqueued": 0, "dequeued": 0, "drained": 0}
        self.reply(200, "", "")

    def memq_delete(self, name: str) -> None:
        with STATE.memq.lock:
            if STATE.memq.queues.pop(name, None) is None:
                self.reply(400, "does not exist\n")
                return
        self.reply(200, "", "")

    def memq_action(self, name: str, action: str) -> None:
        body = self.body()
        with STATE.memq.lock:
            queue = STATE.memq.queues.get(name)
            if queue is None:
                self.reply(400, "does not exist\n")
                return
            if action == "drain":
                queue["drained"] += len(queue["items"])
                queue["items"].clear()
                message = None
            elif action == "enqueue":
                message = {"kind": "message", "id": secrets.token_hex(16), "body": body.decode("utf-8", "replace"),
                           "creationTimestamp": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}  # fmt: skip
                queue["items"].append(message)
                queue["enqueued"] += 1
            else:
                if not queue["items"]:
                    self.reply(204, "", "")
                    return
                message = queue["items"].popleft()
                queue["dequeued"] += 1
        if message is None:
            self.reply(200, "", "")
        else:
            self.reply_json(message)

    # ---- files

    def fs(self) -> None:
        relative = unquote(urlsplit(self.path).path)[len(self.base) + len("/fs") :] or "/"
        target = host_path(os.path.normpath(relative) if relative != "/" else "/")
        prefix = self.base + "/fs"
        if os.path.isdir(target):
            if not relative.endswith("/"):
                self.reply(301, "", "", {"Location": os.path.basename(relative.rstrip("/")) + "/"})
                return
            index = os.path.join(target, "index.html")
            if os.path.isfile(index):
                target = index
            else:
                try:
                    names = sorted(os.listdir(target))
                except OSError:
                    self.reply(403, "403 Forbidden\n")
                    return
                lines = ["<pre>"]
                for name in names:
                    shown = name + ("/" if os.path.isdir(os.path.join(target, name)) else "")
                    lines.append(
                        f'<a href="{html.escape(shown, quote=True)}">{html.escape(shown)}</a>'
                    )
                lines.append("</pre>")
                self.reply(200, "\n".join(lines) + "\n", "text/html; charset=utf-8")
                return
        del prefix
        try:
            with open(target, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            self.not_found()
            return
        except OSError:
            self.reply(403, "403 Forbidden\n")
            return
        kind = mimetypes.guess_type(target)[0]
        if kind is None:
            kind = (
                "text/plain; charset=utf-8"
                if b"\x00" not in data[:512]
                else "application/octet-stream"
            )
        elif kind.startswith("text/"):
            kind += "; charset=utf-8"
        self.reply(200, data, kind, {"Accept-Ranges": "bytes"})


def dns_answer(name: str, kind: str) -> str:
    """A dig-like answer (miekg/dns Msg.String()) from the container's resolver."""
    search: list[str] = []
    try:
        with open("/etc/resolv.conf", encoding="utf-8") as f:
            for line in f:
                if line.startswith("search"):
                    search = line.split()[1:]
    except OSError:
        pass
    names = (
        [name] if name.endswith(".") else [f"{name}.{domain}." for domain in search] + [name + "."]
    )
    fqdn, answers = names[-1], []
    family = socket.AF_INET6 if kind == "AAAA" else socket.AF_INET
    for candidate in names:
        try:
            infos = socket.getaddrinfo(candidate.rstrip("."), None, family, socket.SOCK_STREAM)
        except OSError:
            continue
        fqdn, answers = candidate, sorted({info[4][0] for info in infos})
        break
    status = "NOERROR" if answers else "NXDOMAIN"
    out = [f";; opcode: QUERY, status: {status}, id: {random.randint(1, 65535)}",
           f";; flags: qr rd ra; QUERY: 1, ANSWER: {len(answers)}, AUTHORITY: 0, ADDITIONAL: 0",
           "", ";; QUESTION SECTION:", f";{fqdn}\tIN\t {kind}"]  # fmt: skip
    if answers:
        out += ["", ";; ANSWER SECTION:"] + [f"{fqdn}\t5\tIN\t{kind}\t{ip}" for ip in answers]
    return "\n".join(out) + "\n"


def listen_address(flag: str) -> tuple[str, int]:
    host, _, port = flag.rpartition(":")
    return (host or POD_IP), int(port or 0)


def serve(server: ThreadingHTTPServer) -> None:
    server.serve_forever(poll_interval=0.5)


def main(argv: list[str]) -> None:
    global STATE
    flags = parse_flags(argv)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(2))
    signal.signal(signal.SIGINT, lambda *_: os._exit(2))
    STATE = State(flags, argv)
    log(f"Starting kuard version: {VERSION}")
    log(STARS)
    log("* WARNING: This server may expose sensitive")
    log("* and secret information. Be careful.")
    log(STARS)
    log("Config: \n" + json.dumps(settings(flags), indent=2, sort_keys=True) + "\n")
    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer.allow_reuse_address = True
    server = ThreadingHTTPServer(listen_address(flags["address"]), Handler)
    cert = os.path.join(flags["tls-dir"], "kuard.crt")
    key = os.path.join(flags["tls-dir"], "kuard.key")
    if os.path.isfile(host_path(cert)) and os.path.isfile(host_path(key)):
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(host_path(cert), host_path(key))
        tls = ThreadingHTTPServer(listen_address(flags["tls-address"]), Handler)
        tls.socket = context.wrap_socket(tls.socket, server_side=True)
        threading.Thread(target=serve, args=(tls,), daemon=True).start()
        log(f"Serving HTTPS on {flags['tls-address']}")
    else:
        log("Could not find certificates to serve TLS")
    STATE.keygen.start()
    log(f"Serving on HTTP on {flags['address']}")
    serve(server)


if __name__ == "__main__":
    main(sys.argv[1:])
