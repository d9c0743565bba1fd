"""A test HTTP server on loopback, an image mirror that can go wrong (targets image and faults).
GET /<file> serves the file with its Content-Length; GET /truncated/<file> announces the full
length but sends half and closes; GET /wrong/<file> sends as many bytes, 4 KiB of them in the
middle changed.
Every GET is appended to the log file (path and bytes sent), so a test can count transfers.
Stops by itself after --lifetime seconds.

    python3 image_server.py PORT DIRECTORY LOGFILE [--lifetime 600]
"""
import argparse
import http.server
import os
import threading


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('port', type=int)
    parser.add_argument('directory')
    parser.add_argument('log')
    parser.add_argument('--lifetime', type=int, default=600)
    args = parser.parse_args()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            truncated = self.path.startswith('/truncated/')
            wrong = self.path.startswith('/wrong/')
            name = os.path.basename(self.path)
            path = os.path.join(args.directory, name)
            if not os.path.isfile(path):
                self.send_error(404)
                return
            size = os.path.getsize(path)
            self.send_response(200)
            self.send_header('Content-Length', str(size))
            self.end_headers()
            limit = size // 2 if truncated else size
            sent = 0
            middle = range(size // 2, size // 2 + 4096)
            with open(path, 'rb') as f:
                while sent < limit:
                    chunk = f.read(min(1 << 20, limit - sent))
                    if wrong:
                        chunk = bytes(b ^ 0xff if sent + i in middle else b for i, b in enumerate(chunk))
                    self.wfile.write(chunk)
                    sent += len(chunk)
            with open(args.log, 'a') as log:
                log.write('GET %s %d\n' % (self.path, sent))
            if truncated:
                self.close_connection = True

        def log_message(self, *a):
            pass

    server = http.server.ThreadingHTTPServer(('127.0.0.1', args.port), Handler)
    threading.Timer(args.lifetime, server.shutdown).start()
    server.serve_forever()


if __name__ == '__main__':
    main()
