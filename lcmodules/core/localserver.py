"""The local HTTP server `preview` and `serve` share: threaded, quiet when a browser hangs up."""

from __future__ import annotations

import http.server
import socket
import sys
from typing import Any

# A browser that closes a connection (a reload, a cancelled request, the tab closed) is normal
# use of a local server, not an error to print.
HANG_UPS = (ConnectionResetError, BrokenPipeError, ConnectionAbortedError)


class LocalServer(http.server.ThreadingHTTPServer):
    """ThreadingHTTPServer whose request threads end with the server, and which says nothing
    when a client goes away mid-request (other errors are reported as the standard library
    does)."""

    daemon_threads = True

    def handle_error(self, request: socket.socket | tuple[bytes, socket.socket],
                     client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], HANG_UPS):
            return
        super().handle_error(request, client_address)
