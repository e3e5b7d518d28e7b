#include "tests/fakes/peer_probe.hpp"

#include <memory>
#include <utility>

namespace sonoria::fakes {

PeerProbe::~PeerProbe() { socket_.drop(); }

PeerDialResult PeerProbe::connect(unsigned short port, const std::string& host_header, const std::string& target,
                                  const PeerHeaders& headers) {
  PeerDial dial;
  dial.host = "127.0.0.1";
  dial.port = std::to_string(port);
  dial.host_header = host_header;
  dial.target = target;
  dial.headers = headers;
  dial.timeout = std::chrono::seconds(3);
  PeerEvents events;
  events.message = [this](std::string data, PeerFrame frame) { inbox_.push_back({std::move(data), frame}); };
  events.closed = [this](int code, std::string) {
    ended_ = true;
    close_code_ = code;
  };
  PeerDialResult result = dial_peer_socket(io_, dial, std::move(events));
  socket_ = result.socket;
  return result;
}

void PeerProbe::send(std::string data, PeerFrame frame) {
  if (ended_) return;
  // Shared: the write may finish after this call has given up waiting.
  auto written = std::make_shared<bool>(false);
  socket_.send(std::move(data), frame, [written] { *written = true; });
  run_until([&] { return *written || ended_; }, std::chrono::steady_clock::now() + std::chrono::seconds(2));
}

void PeerProbe::close(int code) { socket_.close(code); }

void PeerProbe::drop() { socket_.drop(); }

void PeerProbe::run_until(const std::function<bool()>& done, std::chrono::steady_clock::time_point deadline) {
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    if (io_.stopped()) io_.restart();
    if (io_.run_one_until(deadline) == 0 && io_.stopped()) break;  // nothing left to run
  }
}

}  // namespace sonoria::fakes
