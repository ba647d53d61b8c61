"""A scripted SMTP server on loopback for outbound tests: records every transaction and
answers RCPT with the reply the test chose for that address (default 250)."""

import socketserver
import ssl
import threading


class Sink:
    """`tls`: an ssl.SSLContext (server side) to offer STARTTLS with; then `tls_ends`
    records, per TLS session, whether the client closed it with close_notify (True) or
    just dropped the connection (False: Python's strict mode raised SSLEOFError)."""

    def __init__(self, host="127.0.0.1", port=0, rcpt_replies=None, data_reply="250 2.0.0 queued",
                 tls=None):
        self.rcpt_replies = dict(rcpt_replies or {})
        self.data_reply = data_reply
        self.tls = tls
        self.tls_ends = []
        self.messages = []  # (mail_from, [rcpt], data bytes)
        self.cond = threading.Condition()
        sink = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                w = self.wfile
                w.write(b"220 sink.test ESMTP\r\n")
                mail_from, rcpts = None, []
                tls_up = False
                while True:
                    line = self.rfile.readline()
                    if not line:
                        return
                    cmd = line.decode("utf-8", "replace").rstrip("\r\n")
                    verb = cmd.split(" ", 1)[0].upper()
                    if verb in ("EHLO", "HELO"):
                        starttls = b"250-STARTTLS\r\n" if sink.tls and not tls_up else b""
                        w.write(b"250-sink.test\r\n250-8BITMIME\r\n250-SIZE 100000000\r\n" +
                                starttls + b"250 DSN\r\n")
                    elif verb == "STARTTLS" and sink.tls and not tls_up:
                        w.write(b"220 2.0.0 ready\r\n")
                        conn = sink.tls.wrap_socket(self.connection, server_side=True,
                                                    suppress_ragged_eofs=False)
                        self.connection = conn
                        self.rfile = conn.makefile("rb")
                        self.wfile = w = conn.makefile("wb", buffering=0)
                        tls_up = True
                    elif verb == "MAIL":
                        mail_from, rcpts = cmd[10:].split(">")[0].lstrip("<"), []
                        w.write(b"250 2.1.0 ok\r\n")
                    elif verb == "RCPT":
                        addr = cmd[8:].split(">")[0].lstrip("<")
                        reply = sink.rcpt_replies.get(addr, "250 2.1.5 ok")
                        if reply.startswith("2"):
                            rcpts.append(addr)
                        w.write(reply.encode() + b"\r\n")
                    elif verb == "DATA":
                        w.write(b"354 go ahead\r\n")
                        data = b""
                        while True:
                            l = self.rfile.readline()
                            if not l or l == b".\r\n":
                                break
                            data += l[1:] if l.startswith(b".") else l
                        with sink.cond:
                            if sink.data_reply.startswith("2"):
                                sink.messages.append((mail_from, rcpts, data))
                            sink.cond.notify_all()
                        w.write(sink.data_reply.encode() + b"\r\n")
                    elif verb == "QUIT":
                        w.write(b"221 2.0.0 bye\r\n")
                        if tls_up:
                            self.record_tls_end()
                        return
                    elif verb in ("RSET", "NOOP"):
                        w.write(b"250 2.0.0 ok\r\n")
                    else:
                        w.write(b"502 5.5.1 not here\r\n")

            def record_tls_end(self):
                clean = True
                self.connection.settimeout(10)
                try:
                    while self.connection.recv(4096):
                        pass
                except (ssl.SSLEOFError, TimeoutError):
                    clean = False
                with sink.cond:
                    sink.tls_ends.append(clean)
                    sink.cond.notify_all()

        class Server(socketserver.ThreadingTCPServer):
            allow_reuse_address = True
            daemon_threads = True

        self.server = Server((host, port), Handler)
        self.address = self.server.server_address
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for_messages(self, count, timeout=20):
        with self.cond:
            if not self.cond.wait_for(lambda: len(self.messages) >= count, timeout):
                raise AssertionError(f"sink got {len(self.messages)} messages, wanted {count}")
            return list(self.messages)

    def close(self):
        self.server.shutdown()
        self.server.server_close()
