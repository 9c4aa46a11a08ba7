"""The CLI's streaming connections, which a Backend's request/response transport cannot carry:
WebSocket framing, the remote-command client of exec/attach/cp, raw HTTP body streams (logs),
the local terminal, and byte access to the command's streams."""
