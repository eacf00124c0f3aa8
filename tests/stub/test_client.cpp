#include "test_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <stdexcept>

namespace ie::stub::testing {

RunningServer::RunningServer(ServerOptions options) : server_(std::move(options)) {
  thread_ = std::thread([this] { server_.run(); });
}

RunningServer::~RunningServer() {
  server_.stop();
  thread_.join();
}

std::string HttpResponse::header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? "" : it->second;
}

TestClient::TestClient(uint16_t port) {
  fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    throw std::runtime_error("connect failed");
  timeval timeout{30, 0};  // a safety net against a hung server, not a synchronisation device
  setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

TestClient::~TestClient() {
  close(fd_);
}

void TestClient::send_raw(const std::string& bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) throw std::runtime_error("send failed");
    sent += static_cast<size_t>(n);
  }
}

void TestClient::shutdown_write() {
  shutdown(fd_, SHUT_WR);
}

bool TestClient::fill() {
  if (pos_ > 0) {
    buffer_.erase(0, pos_);
    pos_ = 0;
  }
  char buf[65536];
  ssize_t n = recv(fd_, buf, sizeof buf, 0);
  if (n <= 0) return false;
  buffer_.append(buf, static_cast<size_t>(n));
  return true;
}

bool TestClient::read_line(std::string& line) {
  for (;;) {
    size_t eol = buffer_.find("\r\n", pos_);
    if (eol != std::string::npos) {
      line = buffer_.substr(pos_, eol - pos_);
      pos_ = eol + 2;
      return true;
    }
    if (!fill()) return false;
  }
}

bool TestClient::read_exact(size_t n, std::string& out) {
  while (buffer_.size() - pos_ < n) {
    if (!fill()) return false;
  }
  out.assign(buffer_, pos_, n);
  pos_ += n;
  return true;
}

std::optional<HttpResponse> TestClient::read_head() {
  HttpResponse r;
  std::string line;
  if (!read_line(line) || line.rfind("HTTP/1.1 ", 0) != 0) return std::nullopt;
  r.status = std::stoi(line.substr(9, 3));
  while (read_line(line) && !line.empty()) {
    size_t colon = line.find(':');
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    r.headers[name] = line.substr(line.find_first_not_of(' ', colon + 1));
  }
  if (!line.empty()) return std::nullopt;
  r.chunked = r.header("transfer-encoding") == "chunked";
  return r;
}

std::optional<std::string> TestClient::read_chunk() {
  std::string line;
  if (!read_line(line)) throw std::runtime_error("connection closed inside a chunked body");
  size_t size = std::stoul(line, nullptr, 16);
  std::string data;
  std::string crlf;
  if (!read_exact(size, data) || !read_exact(2, crlf) || crlf != "\r\n") {
    throw std::runtime_error("bad chunk framing");
  }
  if (size == 0) return std::nullopt;
  return data;
}

std::optional<HttpResponse> TestClient::read_response() {
  std::optional<HttpResponse> r = read_head();
  if (!r || r->status == 100) return r;
  if (r->chunked) {
    while (std::optional<std::string> chunk = read_chunk()) {
      r->body += *chunk;
      r->chunks.push_back(std::move(*chunk));
    }
    return r;
  }
  if (!read_exact(std::stoul(r->header("content-length")), r->body)) return std::nullopt;
  return r;
}

std::string TestClient::read_until_closed(int& error) {
  std::string rest = buffer_.substr(pos_);
  buffer_.clear();
  pos_ = 0;
  char buf[65536];
  for (;;) {
    ssize_t n = recv(fd_, buf, sizeof buf, 0);
    if (n > 0) {
      rest.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    error = n == 0 ? 0 : errno;
    return rest;
  }
}

bool TestClient::stays_silent_for(int timeout_ms) {
  if (pos_ < buffer_.size()) return false;
  pollfd p{fd_, POLLIN, 0};
  return poll(&p, 1, timeout_ms) == 0;
}

bool TestClient::reads_eof() {
  return pos_ == buffer_.size() && !fill();
}

std::string post(const std::string& path, const std::string& body, const std::string& extra_headers) {
  return "POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n" +
         extra_headers + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

std::string get(const std::string& path, const std::string& extra_headers) {
  return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n" + extra_headers + "\r\n";
}

std::string chat_body(const std::string& prompt, bool stream, const std::string& extra_fields) {
  nlohmann::json body = {
      {"model", "m"},
      {"messages", {{{"role", "system"}, {"content", "be brief"}}, {{"role", "user"}, {"content", prompt}}}},
      {"stream", stream}};
  std::string text = body.dump();
  if (!extra_fields.empty()) text.insert(text.size() - 1, "," + extra_fields);
  return text;
}

std::string completions_body(const std::string& prompt, bool stream, const std::string& extra_fields) {
  nlohmann::json body = {{"model", "m"}, {"prompt", prompt}, {"stream", stream}};
  std::string text = body.dump();
  if (!extra_fields.empty()) text.insert(text.size() - 1, "," + extra_fields);
  return text;
}

std::vector<std::string> sse_data(const std::string& body) {
  std::vector<std::string> events;
  size_t pos = 0;
  while (pos < body.size()) {
    size_t end = body.find("\n\n", pos);
    if (end == std::string::npos) throw std::runtime_error("unterminated SSE event");
    std::string event = body.substr(pos, end - pos);
    if (event.rfind("data: ", 0) != 0) throw std::runtime_error("SSE event without data: " + event);
    events.push_back(event.substr(6));
    pos = end + 2;
  }
  return events;
}

std::string streamed_text(const std::vector<std::string>& events) {
  std::string text;
  for (const std::string& e : events) {
    if (e == "[DONE]") continue;
    nlohmann::json j = nlohmann::json::parse(e);
    for (const auto& choice : j["choices"]) {
      if (choice.contains("delta") && choice["delta"].contains("content")) {
        text += choice["delta"]["content"].get<std::string>();
      }
      if (choice.contains("text")) text += choice["text"].get<std::string>();
    }
  }
  return text;
}

}  // namespace ie::stub::testing
