"""An SMTP server on loopback for the outbound TLS tests: STARTTLS or TLS on connect with a
given certificate, optional AUTH (PLAIN and LOGIN, only after TLS) with one fixed user,
and a record of every command line with whether TLS was up when it came."""

import base64
import socketserver
import ssl
import threading


class TlsSink:
    """`tls`: server-side ssl.SSLContext, or None (no STARTTLS offered).
    `implicit`: TLS on connect (RFC 8314) instead of STARTTLS.
    `auth`: (username, password): AUTH PLAIN/LOGIN offered after TLS, MAIL needs it.
    `mechanisms`: the AUTH mechanisms offered."""

    def __init__(self, host="127.0.0.1", port=0, tls=None, implicit=False, auth=None,
                 mechanisms=("PLAIN", "LOGIN")):
        self.tls, self.implicit, self.auth, self.mechanisms = tls, implicit, auth, mechanisms
        self.commands = []  # (tls_up, line) for every line received
        self.messages = []  # (mail_from, [rcpt], data bytes, tls_up)
        self.cond = threading.Condition()
        sink = self

        class Handler(socketserver.StreamRequestHandler):
            def setup(self):
                if sink.implicit:
                    try:
                        self.request = sink.tls.wrap_socket(self.request, server_side=True)
                    except (ssl.SSLError, OSError):
                        self.request = None
                        self.rfile = self.wfile = None
                        return
                super().setup()

            def finish(self):
                if self.request is not None:
                    try:
                        super().finish()
                    except OSError:
                        pass

            def handle(self):
                if self.request is None:
                    return
                try:
                    self.session()
                except (ssl.SSLError, OSError):
                    return
                finally:
                    if isinstance(self.connection, ssl.SSLSocket):
                        self.connection.close()  # the socket STARTTLS wrapped

            def readline(self):
                line = self.rfile.readline()
                text = line.decode("utf-8", "replace").rstrip("\r\n")
                with sink.cond:
                    sink.commands.append((self.tls_up, text))
                    sink.cond.notify_all()
                return line, text

            def session(self):
                self.tls_up = sink.implicit
                authed = sink.auth is None
                w = self.wfile
                w.write(b"220 sink.test ESMTP\r\n")
                mail_from, rcpts = None, []
                while True:
                    line, cmd = self.readline()
                    if not line:
                        return
                    verb = cmd.split(" ", 1)[0].upper()
                    if verb == "EHLO":
                        lines = ["sink.test", "8BITMIME"]
                        if sink.tls and not self.tls_up:
                            lines.append("STARTTLS")
                        if sink.auth and self.tls_up:
                            lines.append("AUTH " + " ".join(sink.mechanisms))
                        w.write("".join(f"250-{l}\r\n" for l in lines).encode() + b"250 DSN\r\n")
                    elif verb == "STARTTLS" and sink.tls and not self.tls_up:
                        w.write(b"220 2.0.0 ready\r\n")
                        conn = sink.tls.wrap_socket(self.connection, server_side=True)
                        self.connection = conn
                        self.rfile = conn.makefile("rb")
                        self.wfile = w = conn.makefile("wb", buffering=0)
                        self.tls_up = True
                    elif verb == "AUTH" and sink.auth and self.tls_up:
                        authed = self.authenticate(cmd)
                        w = self.wfile
                    elif verb == "MAIL":
                        if not authed:
                            w.write(b"530 5.7.0 Authentication required\r\n")
                            continue
                        mail_from, rcpts = cmd[10:].split(">")[0].lstrip("<"), []
                        w.write(b"250 2.1.0 ok\r\n")
                    elif verb == "RCPT":
                        rcpts.append(cmd[8:].split(">")[0].lstrip("<"))
                        w.write(b"250 2.1.5 ok\r\n")
                    elif verb == "DATA":
                        w.write(b"354 go ahead\r\n")
                        data = b""
                        while True:
                            l = self.rfile.readline()
                            if not l or l == b".\r\n":
                                break
                            data += l[1:] if l.startswith(b".") else l
                        with sink.cond:
                            sink.messages.append((mail_from, rcpts, data, self.tls_up))
                            sink.cond.notify_all()
                        w.write(b"250 2.0.0 queued\r\n")
                    elif verb == "QUIT":
                        w.write(b"221 2.0.0 bye\r\n")
                        return
                    elif verb in ("RSET", "NOOP"):
                        w.write(b"250 2.0.0 ok\r\n")
                    else:
                        w.write(b"502 5.5.1 not here\r\n")

            def authenticate(self, cmd):
                w = self.wfile
                user, password = sink.auth
                parts = cmd.split(" ")
                mechanism = parts[1].upper() if len(parts) > 1 else ""
                if mechanism == "PLAIN" and len(parts) == 3:
                    ok = base64.b64decode(parts[2]) == b"\0" + user.encode() + b"\0" + \
                        password.encode()
                elif mechanism == "LOGIN":
                    w.write(b"334 VXNlcm5hbWU6\r\n")
                    _, got_user = self.readline()
                    w.write(b"334 UGFzc3dvcmQ6\r\n")
                    _, got_password = self.readline()
                    ok = (base64.b64decode(got_user) == user.encode() and
                          base64.b64decode(got_password) == password.encode())
                else:
                    w.write(b"504 5.5.4 unrecognized authentication type\r\n")
                    return False
                if ok:
                    w.write(b"235 2.7.0 Authentication successful\r\n")
                else:
                    w.write(b"535 5.7.8 Authentication credentials invalid\r\n")
                return ok

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

    def lines(self):
        with self.cond:
            return list(self.commands)

    def close(self):
        self.server.shutdown()
        self.server.server_close()
