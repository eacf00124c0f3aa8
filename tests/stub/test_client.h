#pragma once
// Test helpers for the stub server: a Server running on its own thread, and a small blocking HTTP/1.1 client
// that reads whole responses (Content-Length or chunked) and keeps every chunk apart, so tests can check
// framing as well as content. Reads block on the socket (with a generous SO_RCVTIMEO so a broken server fails
// the test instead of hanging it); nothing waits on wall-clock time.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "stub/server.h"

namespace ie::stub::testing {

// Starts the server on construction (port 0 unless set) and stops and joins it on destruction.
class RunningServer {
 public:
  explicit RunningServer(ServerOptions options);
  ~RunningServer();
  uint16_t port() const { return server_.port(); }
  Server& server() { return server_; }

 private:
  Server server_;
  std::thread thread_;
};

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;                            // de-chunked
  std::vector<std::string> chunks;             // chunk payloads in order (chunked responses only)
  bool chunked = false;
  std::string header(const std::string& name) const;
};

class TestClient {
 public:
  explicit TestClient(uint16_t port);
  ~TestClient();
  TestClient(const TestClient&) = delete;
  TestClient& operator=(const TestClient&) = delete;

  void send_raw(const std::string& bytes);
  // Reads one response; nullopt if the connection closed before a complete response arrived.
  std::optional<HttpResponse> read_response();
  // Incremental reading of a chunked response: the status line and headers, then one chunk payload at a time
  // (nullopt after the terminating 0-chunk; throws on EOF or bad framing).
  std::optional<HttpResponse> read_head();
  std::optional<std::string> read_chunk();
  // True if the server closed the connection with no further bytes.
  bool reads_eof();
  // Closes our sending side (the server sees EOF).
  void shutdown_write();

  // Everything left on the connection until it ends (bytes already buffered included); `error` is 0 after
  // a FIN, else the recv() errno (ECONNRESET after an RST).
  std::string read_until_closed(int& error);
  // True if no byte (and no EOF or error) arrives within timeout_ms: detects absence, so a timeout here is
  // the assertion itself, not a wait for something that will happen.
  bool stays_silent_for(int timeout_ms);

 private:
  bool fill();  // one recv() appended to buffer_; false on EOF or error
  bool read_line(std::string& line);
  bool read_exact(size_t n, std::string& out);

  int fd_ = -1;
  std::string buffer_;
  size_t pos_ = 0;
};

// A complete POST with a JSON body and Content-Length framing.
std::string post(const std::string& path, const std::string& body, const std::string& extra_headers = "");
std::string get(const std::string& path, const std::string& extra_headers = "");
std::string chat_body(const std::string& prompt, bool stream, const std::string& extra_fields = "");
std::string completions_body(const std::string& prompt, bool stream, const std::string& extra_fields = "");

// The SSE events of a streamed body: payloads of the "data: " lines, [DONE] included.
std::vector<std::string> sse_data(const std::string& body);
// Concatenated delta.content (chat) or text (completions) over every JSON event.
std::string streamed_text(const std::vector<std::string>& events);

}  // namespace ie::stub::testing
