#!/usr/bin/env python3
"""An OpenAI-compatible endpoint this project did not write: Python's standard-library http.server.

Its HTTP framing is Python's, not our stub's: its own Server and Date headers, HTTP/1.0 responses that end
with the connection (--protocol 1.0), or HTTP/1.1 keep-alive with chunked SSE streams (--protocol 1.1).
Every reply is "hello world" in two content pieces with usage, so the client's numbers have an oracle.

    foreign_server.py --protocol 1.1      prints "listening on http://127.0.0.1:PORT", serves until killed
"""
import argparse
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PIECES = ["hello", " world"]
USAGE = {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):  # the client's reachability probe and /v1/models
        self.reply_json({"object": "list", "data": [{"id": "foreign-model", "object": "model"}]})

    def do_POST(self):
        request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if not request.get("stream"):
            self.reply_json({
                "id": "cmpl-foreign", "object": "chat.completion", "model": "foreign-model",
                "choices": [{"index": 0, "message": {"role": "assistant", "content": "".join(PIECES)},
                             "finish_reason": "stop"}],
                "usage": USAGE})
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        chunked = self.protocol_version == "HTTP/1.1"
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        events = [{"choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}}]}]
        events += [{"choices": [{"index": 0, "delta": {"content": p}, "finish_reason": None}]} for p in PIECES]
        events.append({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
        events.append({"choices": [], "usage": USAGE})
        for event in events:
            self.write_body(("data: " + json.dumps(event) + "\n\n").encode(), chunked)
        self.write_body(b"data: [DONE]\n\n", chunked)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")

    def reply_json(self, document):
        body = json.dumps(document).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def write_body(self, data, chunked):
        if chunked:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        else:
            self.wfile.write(data)
        self.wfile.flush()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--protocol", choices=["1.0", "1.1"], default="1.1")
    args = parser.parse_args()
    Handler.protocol_version = "HTTP/" + args.protocol
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(f"listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
