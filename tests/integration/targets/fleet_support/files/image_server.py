"""image_server.py DIR PORT: serves DIR on 127.0.0.1:PORT, each GET as DIR/mode says:
  good       the file as it is
  truncated  the file's full Content-Length, then half of its bytes, then the connection closes
  wrong      the file with bytes in its middle changed (same length)
An image source that fails as real mirrors and proxies do."""
import http.server
import os
import sys

ROOT = sys.argv[1]


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # pylint: disable=invalid-name
        path = os.path.join(ROOT, os.path.basename(self.path))
        with open(os.path.join(ROOT, 'mode')) as f:
            mode = f.read().strip()
        if not os.path.isfile(path):
            self.send_error(404)
            return
        with open(path, 'rb') as f:
            data = f.read()
        self.send_response(200)
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        if mode == 'truncated':
            self.wfile.write(data[:len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        if mode == 'wrong':
            middle = len(data) // 2
            data = data[:middle] + bytes(b ^ 0xff for b in data[middle:middle + 4096]) + data[middle + 4096:]
        self.wfile.write(data)

    def log_message(self, *args):
        pass


http.server.HTTPServer(('127.0.0.1', int(sys.argv[2])), Handler).serve_forever()
