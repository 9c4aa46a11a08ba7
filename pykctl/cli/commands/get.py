"""``pykctl get``: display resources.

This version serves ``--raw`` (a GET of any API path, body printed as the server sent it);
resource listing with kubectl's tables and output formats comes with the everyday-commands work.
"""

from __future__ import annotations

from backends.errors import from_response
from pykctl.cli.command import Help, Invocation, KCommand
from pykctl.cli.errors import CommandError
from pykctl.cli.flags import Flag

FLAGS = [
    Flag(
        "raw",
        usage="Raw URI to request from the server.  Uses the transport specified by the kubeconfig file.",
    ),
]


def run(inv: Invocation) -> int:
    from pykctl.cli.connection import connect

    raw = inv.flags["raw"]
    if not raw:
        raise CommandError("this version of pykctl supports only `pykctl get --raw PATH`")
    if inv.args:
        raise inv.usage_error("arguments may not be passed when --raw is specified")
    path, _, query_text = raw.partition("?")
    from urllib.parse import parse_qsl

    connection = connect(inv)
    try:
        response = connection.backend.request(
            "GET", path, parse_qsl(query_text, keep_blank_values=True) or None
        )
    finally:
        connection.backend.close()
    if response.status >= 400:
        raise from_response(response)
    inv.stdout.write(response.body.decode(errors="replace"))
    return 0


get = KCommand(
    "get",
    run,
    Help(
        use="get [(-o|--output=)json|yaml|name|go-template|go-template-file|template|templatefile|jsonpath|jsonpath-as-json|jsonpath-file|custom-columns|custom-columns-file|wide] (TYPE[.VERSION][.GROUP] [NAME | -l label] | TYPE[.VERSION][.GROUP]/NAME ...) [flags]",
        short="Display one or many resources",
        long="Display one or many resources.",
    ),
    FLAGS,
)
