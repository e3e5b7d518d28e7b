#include "core/net/ws_channel.hpp"

#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace net = sonoria::net;
using net::SendMode;
using net::WsReadResult;

namespace {

// A WebSocket whose every operation stays pending until the test completes it.
class FakeTransport final : public net::WsTransport {
 public:
  void read(std::function<void(const WsReadResult&)> done) override {
    REQUIRE_FALSE(pending_read);
    pending_read = std::move(done);
  }
  void write(std::string_view text, bool binary, std::function<void(std::error_code)> done) override {
    REQUIRE_FALSE(pending_write);
    REQUIRE_FALSE(pending_close);
    written.emplace_back(text);
    written_binary.push_back(binary);
    pending_write = std::move(done);
  }
  void close(net::WsCloseInfo frame, std::function<void(std::error_code)> done) override {
    REQUIRE_FALSE(pending_write);
    close_frame = frame;
    pending_close = std::move(done);
  }
  void abort() override { aborted = true; }
  void ping(std::function<void(std::error_code)> done) override {
    REQUIRE_FALSE(pending_ping);
    REQUIRE_FALSE(pending_close);
    ++pings;
    pending_ping = std::move(done);
  }
  void on_control_frame(std::function<void()> handler) override { control = std::move(handler); }

  // Test side: complete the pending operations.
  void receive_text(const std::string& text) { take(pending_read)(WsReadResult{WsReadResult::Kind::text, text, {}}); }
  void receive_binary(const std::string& bytes) {
    take(pending_read)(WsReadResult{WsReadResult::Kind::binary, bytes, {}});
  }
  void receive_close(int code, const std::string& reason) {
    take(pending_read)(WsReadResult{WsReadResult::Kind::closed, {}, net::WsCloseInfo{code, reason}});
  }
  void finish_write(std::error_code ec = {}) { take(pending_write)(ec); }
  void finish_close() { take(pending_close)(std::error_code{}); }
  void finish_ping() { take(pending_ping)(std::error_code{}); }
  void receive_pong() {
    REQUIRE(control);
    control();
  }

  std::function<void(const WsReadResult&)> pending_read;
  std::function<void(std::error_code)> pending_write;
  std::function<void(std::error_code)> pending_close;
  std::function<void(std::error_code)> pending_ping;
  std::function<void()> control;
  int pings = 0;
  std::vector<std::string> written;
  std::vector<bool> written_binary;
  std::optional<net::WsCloseInfo> close_frame;
  bool aborted = false;

 private:
  template <class F>
  static F take(F& slot) {
    REQUIRE(slot);
    F out = std::move(slot);
    slot = nullptr;
    return out;
  }
};

struct Closed {
  int code = 0;
  std::string reason;
};

// A channel over a fake transport on a single-threaded io_context the test drives with poll().
struct Fixture {
  explicit Fixture(net::WsLimits limits = {}) {
    auto owned = std::make_unique<FakeTransport>();
    fake = owned.get();
    channel = net::WsChannel::create(io.get_executor(), std::move(owned), limits);
    channel->on_message([this](std::string_view text) { messages.emplace_back(text); });
    channel->on_close([this](int code, std::string reason) { closes.push_back(Closed{code, std::move(reason)}); });
  }

  // Pending operations hold the channel, which owns the fake holding them: a real transport's
  // operations end with its socket, the fake's end here.
  ~Fixture() {
    auto read = std::move(fake->pending_read);
    auto write = std::move(fake->pending_write);
    auto close = std::move(fake->pending_close);
    auto ping = std::move(fake->pending_ping);
    channel.reset();  // a pending idle check still holds it: destroyed with the io_context
  }

  boost::asio::io_context io;
  FakeTransport* fake = nullptr;
  std::shared_ptr<net::WsChannel> channel;
  std::vector<std::string> messages;
  std::vector<Closed> closes;
};

net::WsLimits queue_limit(std::size_t bytes) {
  net::WsLimits limits;
  limits.max_queued_bytes = bytes;
  return limits;
}

}  // namespace

TEST_CASE("text messages are delivered whole and in order, one read at a time") {
  Fixture f;
  CHECK_FALSE(f.fake->pending_read);  // nothing is read before start()
  f.channel->start();
  f.fake->receive_text("one");
  f.fake->receive_text("two");
  CHECK(f.messages == std::vector<std::string>{"one", "two"});
  CHECK(f.fake->pending_read);
}

TEST_CASE("binary messages are counted and never delivered") {
  Fixture f;
  f.channel->start();
  f.fake->receive_binary(std::string("\x00\x01", 2));
  f.fake->receive_text("after");
  CHECK(f.messages == std::vector<std::string>{"after"});
  CHECK(f.channel->ignored_binary_messages() == 1);
}

TEST_CASE("paused reading issues no read, holds the message already in flight, and resumes in order") {
  Fixture f;
  f.channel->start();
  f.channel->pause_reading();
  f.fake->receive_text("in flight");
  CHECK(f.messages.empty());
  CHECK_FALSE(f.fake->pending_read);

  f.channel->resume_reading();
  CHECK(f.messages.empty());  // delivered from the executor, never from inside resume_reading()
  f.io.poll();
  CHECK(f.messages == std::vector<std::string>{"in flight"});
  REQUIRE(f.fake->pending_read);
  f.fake->receive_text("next");
  CHECK(f.messages == std::vector<std::string>{"in flight", "next"});
}

TEST_CASE("a handler may pause reading for the messages after its own") {
  Fixture f;
  f.channel->on_message([&](std::string_view text) {
    f.messages.emplace_back(text);
    f.channel->pause_reading();
  });
  f.channel->start();
  f.fake->receive_text("first");
  CHECK_FALSE(f.fake->pending_read);
  f.channel->resume_reading();
  f.io.poll();
  CHECK(f.fake->pending_read);
}

TEST_CASE("one write is in flight at a time and queued messages follow in order") {
  Fixture f;
  std::vector<std::size_t> remaining;
  f.channel->on_write_done([&](std::size_t queued, std::chrono::microseconds) { remaining.push_back(queued); });
  f.channel->start();
  CHECK(f.channel->send_text("aa"));
  CHECK(f.channel->send_text("bbb"));
  CHECK(f.fake->written == std::vector<std::string>{"aa"});
  CHECK(f.channel->queued_bytes() == 5);
  f.fake->finish_write();
  CHECK(f.fake->written == std::vector<std::string>{"aa", "bbb"});
  f.fake->finish_write();
  CHECK(f.channel->queued_bytes() == 0);
  CHECK(remaining == std::vector<std::size_t>{3, 0});
}

TEST_CASE("a message that cannot fit under the byte bound is dropped and counted") {
  Fixture f(queue_limit(10));
  CHECK(f.channel->send_text("12345678"));
  CHECK_FALSE(f.channel->send_text("12345"));
  CHECK(f.channel->dropped_messages() == 1);
  CHECK(f.channel->queued_bytes() == 8);
  CHECK_FALSE(f.channel->send_text(std::string(11, 'x')));  // larger than the whole bound
  CHECK(f.channel->dropped_messages() == 2);
}

TEST_CASE("droppable messages are evicted oldest first to make room, kept ones never") {
  Fixture f(queue_limit(10));
  CHECK(f.channel->send_text("in-flight", SendMode::droppable));  // 9 bytes, being written
  f.fake->finish_write();
  CHECK(f.channel->send_text("k1"));                        // in flight now
  CHECK(f.channel->send_text("a1", SendMode::droppable));
  CHECK(f.channel->send_text("k2"));
  CHECK(f.channel->send_text("a2", SendMode::droppable));
  CHECK(f.channel->send_text("a3", SendMode::droppable));
  CHECK(f.channel->queued_bytes() == 10);

  CHECK(f.channel->send_text("ctl!"));  // needs 4 bytes: evicts a1 and a2, keeps k2 and a3
  CHECK(f.channel->dropped_messages() == 2);
  CHECK(f.channel->queued_bytes() == 10);

  CHECK_FALSE(f.channel->send_text("toolarge"));  // evicting a3 cannot make room: queue untouched
  CHECK(f.channel->dropped_messages() == 3);

  for (int i = 0; i < 4; ++i) f.fake->finish_write();
  CHECK(f.fake->written == std::vector<std::string>{"in-flight", "k1", "k2", "a3", "ctl!"});
}

TEST_CASE("the message being written is never evicted, even when droppable") {
  Fixture f(queue_limit(4));
  CHECK(f.channel->send_text("abcd", SendMode::droppable));
  CHECK_FALSE(f.channel->send_text("x", SendMode::droppable));
  CHECK(f.fake->written == std::vector<std::string>{"abcd"});
  f.fake->finish_write();
  CHECK(f.channel->send_text("x"));
}

TEST_CASE("close sends what is queued, then the close frame, and reports our code once") {
  Fixture f;
  f.channel->start();
  f.channel->send_text("last words");
  f.channel->send_text("really last");
  f.channel->close(4000, "call ended");
  CHECK_FALSE(f.channel->send_text("too late"));
  CHECK(f.channel->dropped_messages() == 0);  // refused after close, not dropped by the bound
  CHECK_FALSE(f.fake->close_frame);

  f.fake->finish_write();
  CHECK_FALSE(f.fake->close_frame);
  f.fake->finish_write();
  REQUIRE(f.fake->close_frame);
  CHECK(f.fake->close_frame->code == 4000);
  CHECK(f.fake->close_frame->reason == "call ended");
  CHECK(f.closes.empty());

  f.fake->receive_close(4000, "call ended");  // the pending read sees the close handshake end
  f.fake->finish_close();
  REQUIRE(f.closes.size() == 1);
  CHECK(f.closes[0].code == 4000);
  CHECK(f.closes[0].reason == "call ended");
  f.channel->close();
  f.io.poll();
  CHECK(f.closes.size() == 1);
}

TEST_CASE("a peer's close is reported with its code and reason, exactly once") {
  Fixture f;
  f.channel->start();
  f.fake->receive_close(1001, "going away");
  f.channel->close();
  f.io.poll();
  REQUIRE(f.closes.size() == 1);
  CHECK(f.closes[0].code == 1001);
  CHECK(f.closes[0].reason == "going away");
  CHECK_FALSE(f.channel->is_open());
  CHECK_FALSE(f.fake->close_frame);  // the transport already answered the peer's close
}

TEST_CASE("a failed write ends the connection with 1006 and what failed") {
  Fixture f;
  f.channel->start();
  f.channel->send_text("x");
  f.fake->finish_write(std::make_error_code(std::errc::broken_pipe));
  REQUIRE(f.closes.size() == 1);
  CHECK(f.closes[0].code == net::k_close_abnormal);
  CHECK(f.closes[0].reason.find("write failed") != std::string::npos);
  CHECK(f.fake->aborted);
  f.fake->receive_close(net::k_close_abnormal, "connection lost: aborted");
  CHECK(f.closes.size() == 1);
}

TEST_CASE("a close handshake that never completes is cut at the close timeout") {
  net::WsLimits limits;
  limits.close_timeout = std::chrono::milliseconds(1);
  Fixture f(limits);
  f.channel->start();
  f.channel->close(1000);
  REQUIRE(f.fake->close_frame);
  f.io.run_one();  // the close timer
  CHECK(f.fake->aborted);
  REQUIRE(f.closes.size() == 1);
  CHECK(f.closes[0].code == 1000);
}

TEST_CASE("a message handler that throws closes the connection with 1011") {
  Fixture f;
  f.channel->on_message([](std::string_view) { throw std::runtime_error("bug"); });
  f.channel->start();
  f.fake->receive_text("boom");
  REQUIRE(f.fake->close_frame);
  CHECK(f.fake->close_frame->code == net::k_close_internal_error);
  CHECK(f.fake->close_frame->reason.find("bug") != std::string::npos);
}

TEST_CASE("handlers are released once the connection has ended") {
  Fixture f;
  auto session = std::make_shared<int>(7);
  std::weak_ptr<int> watch = session;
  f.channel->on_message([session](std::string_view) {});
  f.channel->on_close([session](int, std::string) {});
  session.reset();
  CHECK_FALSE(watch.expired());  // the channel holds the session through its handlers
  f.channel->start();
  f.fake->receive_close(1000, "");
  CHECK(watch.expired());
}

TEST_CASE("droppable messages queued behind a write go out merged, kept ones on their own and in order") {
  Fixture f;
  std::vector<std::string> merges;
  f.channel->coalesce_droppable([&](std::string& into, const std::vector<std::string_view>& next) {
    std::string seen = into;
    for (auto n : next) {
      seen += "+" + std::string(n);
      into += std::string(n);
    }
    merges.push_back(seen);
    return next.size();
  });
  f.channel->start();
  CHECK(f.channel->send_text("a1", SendMode::droppable));  // written at once
  CHECK(f.channel->send_text("a2", SendMode::droppable));
  CHECK(f.channel->send_text("a3", SendMode::droppable));
  CHECK(f.channel->send_text("k1"));
  CHECK(f.channel->send_text("a4", SendMode::droppable));
  CHECK(f.channel->queued_bytes() == 10);
  f.fake->finish_write();
  CHECK(f.fake->written == std::vector<std::string>{"a1", "a2a3"});
  CHECK(f.channel->queued_bytes() == 8);  // "a2a3" in flight, "k1", "a4"
  f.fake->finish_write();
  f.fake->finish_write();
  CHECK(f.fake->written == std::vector<std::string>{"a1", "a2a3", "k1", "a4"});
  CHECK(merges == std::vector<std::string>{"a2+a3"});
  f.fake->finish_write();
  CHECK(f.channel->queued_bytes() == 0);
}

TEST_CASE("a coalescer that declines or throws leaves the messages as they were") {
  Fixture f;
  int calls = 0;
  f.channel->coalesce_droppable([&](std::string&, const std::vector<std::string_view>&) -> std::size_t {
    if (++calls == 1) return 0;
    throw std::runtime_error("out of memory, say");
  });
  f.channel->start();
  CHECK(f.channel->send_text("a1", SendMode::droppable));
  CHECK(f.channel->send_text("a2", SendMode::droppable));
  CHECK(f.channel->send_text("a3", SendMode::droppable));
  f.fake->finish_write();  // a2 + a3 declined
  CHECK(f.fake->written.back() == "a2");
  CHECK(calls == 1);
  CHECK(f.channel->send_text("a4", SendMode::droppable));
  f.fake->finish_write();  // a3 + a4: the coalescer throws
  CHECK(f.fake->written.back() == "a3");
  CHECK(calls == 2);
  f.fake->finish_write();
  CHECK(f.fake->written.back() == "a4");
  f.fake->finish_write();
  CHECK(f.channel->queued_bytes() == 0);
}

TEST_CASE("droppable audio waiting behind the write in flight is bounded in time, oldest dropped first") {
  using std::chrono::milliseconds;
  net::WsLimits limits;
  limits.max_droppable_audio = milliseconds(60);
  Fixture f(limits);
  f.channel->start();
  const auto frame = milliseconds(20);
  CHECK(f.channel->send_text("f0", SendMode::droppable, frame));  // in flight: not counted, never dropped
  CHECK(f.channel->send_text("f1", SendMode::droppable, frame));
  CHECK(f.channel->send_text("ctl"));                             // kept messages do not count either
  CHECK(f.channel->send_text("f2-a-longer-encoding", SendMode::droppable, frame));  // time counts, not bytes
  CHECK(f.channel->send_text("f3", SendMode::droppable, frame));
  CHECK(f.channel->dropped_messages() == 0);
  CHECK(f.channel->queued_audio() == milliseconds(80));
  CHECK(f.channel->send_text("f4", SendMode::droppable, frame));  // f1 goes
  CHECK(f.channel->dropped_messages() == 1);
  CHECK(f.channel->queued_audio() == milliseconds(80));
  CHECK(f.channel->queued_bytes() == 2 + 3 + 20 + 2 + 2);
  std::vector<long> audio_left;
  f.channel->on_write_done([&](std::size_t, std::chrono::microseconds audio) {
    audio_left.push_back(static_cast<long>(std::chrono::duration_cast<milliseconds>(audio).count()));
  });
  for (int i = 0; i < 5; ++i) f.fake->finish_write();
  CHECK(f.fake->written == std::vector<std::string>{"f0", "ctl", "f2-a-longer-encoding", "f3", "f4"});
  CHECK(audio_left == std::vector<long>{60, 60, 40, 20, 0});
  CHECK(f.channel->queued_audio() == milliseconds(0));
}

TEST_CASE("merged audio keeps its length: the queue still holds the same time of audio") {
  using std::chrono::milliseconds;
  Fixture f;
  f.channel->coalesce_droppable([](std::string& into, const std::vector<std::string_view>& next) {
    for (auto part : next) into += part;
    return next.size();
  });
  f.channel->start();
  for (const char* text : {"a1", "a2", "a3"}) CHECK(f.channel->send_text(text, SendMode::droppable, milliseconds(20)));
  CHECK(f.channel->queued_audio() == milliseconds(60));
  f.fake->finish_write();  // a1 done; a2 absorbs a3
  CHECK(f.channel->queued_audio() == milliseconds(40));
  f.fake->finish_write();
  CHECK(f.fake->written == std::vector<std::string>{"a1", "a2a3"});
  CHECK(f.channel->queued_audio() == milliseconds(0));
}

namespace {

net::WsLimits idle_limit(std::chrono::milliseconds idle) {
  net::WsLimits limits;
  limits.idle_timeout = idle;
  limits.close_timeout = std::chrono::milliseconds(200);
  return limits;
}

}  // namespace

TEST_CASE("a silent peer is pinged after half the idle timeout and dropped with 1006 after all of it") {
  Fixture f(idle_limit(std::chrono::milliseconds(80)));
  f.channel->start();
  const auto started = std::chrono::steady_clock::now();
  while (f.fake->pings == 0 && std::chrono::steady_clock::now() - started < std::chrono::seconds(5))
    f.io.run_one_for(std::chrono::milliseconds(10));
  CHECK(f.fake->pings == 1);
  CHECK(std::chrono::steady_clock::now() - started >= std::chrono::milliseconds(40));
  CHECK(f.closes.empty());
  f.fake->finish_ping();  // written, but no pong comes back
  while (f.closes.empty() && std::chrono::steady_clock::now() - started < std::chrono::seconds(5))
    f.io.run_one_for(std::chrono::milliseconds(10));
  REQUIRE(f.closes.size() == 1);
  CHECK(f.closes[0].code == 1006);
  CHECK(f.closes[0].reason.find("silent") != std::string::npos);
  CHECK(f.fake->aborted);
  CHECK(std::chrono::steady_clock::now() - started >= std::chrono::milliseconds(80));
}

TEST_CASE("a peer that sends messages or answers pings stays connected") {
  Fixture f(idle_limit(std::chrono::milliseconds(80)));
  f.channel->start();
  const auto started = std::chrono::steady_clock::now();
  int turn = 0;
  while (std::chrono::steady_clock::now() - started < std::chrono::milliseconds(600)) {
    f.io.run_for(std::chrono::milliseconds(15));
    // Alternately a message and a pong, every 15 ms: never quiet for a whole check.
    if (++turn % 2 == 0) f.fake->receive_text("hello");
    else f.fake->receive_pong();
    if (f.fake->pending_ping) f.fake->finish_ping();
  }
  CHECK(f.closes.empty());
  CHECK(f.fake->pings == 0);
  CHECK(f.messages.size() >= 10);
}

TEST_CASE("a close waits for the ping being written before it sends the close frame") {
  Fixture f(idle_limit(std::chrono::milliseconds(40)));
  f.channel->start();
  const auto started = std::chrono::steady_clock::now();
  while (f.fake->pings == 0 && std::chrono::steady_clock::now() - started < std::chrono::seconds(5))
    f.io.run_one_for(std::chrono::milliseconds(5));
  REQUIRE(f.fake->pending_ping);
  f.channel->close(1000, "bye");
  f.io.poll();
  CHECK_FALSE(f.fake->close_frame);
  f.fake->finish_ping();
  f.io.poll();
  REQUIRE(f.fake->close_frame);
  CHECK(f.fake->close_frame->code == 1000);
  f.fake->finish_close();
  f.io.poll();
  REQUIRE(f.closes.size() == 1);
  CHECK(f.closes[0].code == 1000);
}

TEST_CASE("a coalescer may take only the first of the messages behind") {
  Fixture f;
  f.channel->coalesce_droppable([](std::string& into, const std::vector<std::string_view>& next) -> std::size_t {
    into += std::string(next.front());
    return 1;
  });
  f.channel->start();
  for (const char* text : {"a1", "a2", "a3", "a4"}) CHECK(f.channel->send_text(text, SendMode::droppable));
  f.fake->finish_write();
  f.fake->finish_write();
  f.fake->finish_write();
  CHECK(f.fake->written == std::vector<std::string>{"a1", "a2a3", "a4"});
  CHECK(f.channel->queued_bytes() == 0);
}

TEST_CASE("nothing is evicted for a droppable message that is refused anyway") {
  net::WsLimits limits;
  limits.max_queued_bytes = 10;
  limits.max_droppable_audio = std::chrono::milliseconds(20);
  Fixture f(limits);
  f.channel->start();
  const auto frame = std::chrono::milliseconds(20);
  CHECK(f.channel->send_text("k0"));                        // in flight
  CHECK(f.channel->send_text("d1", SendMode::droppable, frame));
  CHECK(f.channel->send_text("keep"));                      // 8 bytes queued
  CHECK_FALSE(f.channel->send_text("0123456", SendMode::droppable, frame));  // 8 - 2 + 7 > 10: refused
  CHECK(f.channel->dropped_messages() == 1);                 // the refused one only: d1 stays
  for (int i = 0; i < 3; ++i) f.fake->finish_write();
  CHECK(f.fake->written == std::vector<std::string>{"k0", "d1", "keep"});
}
