#pragma once
// One bench-engine WebSocket connection: the transport around a Protocol (the OpenAI, Deepgram or
// Ultravox conversation). Reads client frames (backpressure: the next read is issued only after
// the current one is handled), hands them to the protocol with their arrival time and kind (text or
// binary), writes what it answers — each message as the text or binary frame it is — with one write
// in flight and a queue bounded at k_max_queued_bytes (beyond that the peer is not reading: the
// connection is dropped and counted as an error), and runs one timer for the paced audio.
//
// Threads: everything runs on the engine's one io_context thread; no strand is needed.

#include <cstdint>
#include <deque>
#include <memory>
#include <unordered_set>
#include <optional>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "tests/bench/conversation.hpp"
#include "tests/bench/engine_protocol.hpp"

namespace sonoria::bench {

// What every connection shares; owned by the server, outlives the io_context's work.
struct EngineShared {
  EngineOptions options;
  EngineStats stats;
  std::uint32_t next_number = 0;  // connection numbers (probe stream ids), from 0
  std::uint64_t next_call = 0;    // Ultravox call ids created over REST
  std::unordered_set<std::string> created_calls;  // created, not joined yet
  std::deque<std::string> created_order;           // the same, oldest first (the set is bounded)
};

class EngineSession : public std::enable_shared_from_this<EngineSession> {
 public:
  static constexpr std::size_t k_max_queued_bytes = 4 * 1024 * 1024;

  // `protocol` speaks for the connection (its engine() names it in /stats).
  EngineSession(boost::asio::ip::tcp::socket socket, EngineShared& shared, std::unique_ptr<Protocol> protocol);

  // Completes the WebSocket handshake for `upgrade` (already read) and starts the conversation.
  // `refuse_beta` (OpenAI): a client that sends `OpenAI-Beta` gets the GA endpoint's
  // beta_api_shape_disabled error and close 4000.
  void run(boost::beast::http::request<boost::beast::http::string_body> upgrade, bool refuse_beta = false);

 private:
  void on_accept(boost::beast::error_code ec, bool beta);
  void do_read();
  void on_read(boost::beast::error_code ec);
  void flush();
  void do_write();
  void arm_timer();
  void on_timer(boost::beast::error_code ec);
  void close_after_flush(std::uint16_t code);
  void drop();
  void on_closed();

  boost::beast::websocket::stream<boost::asio::ip::tcp::socket> ws_;
  boost::asio::steady_timer timer_;
  EngineShared& shared_;
  std::unique_ptr<Protocol> protocol_;
  boost::beast::flat_buffer read_buffer_;
  Outbox outbox_;
  std::deque<OutMessage> queue_;
  std::size_t queued_bytes_ = 0;
  std::optional<std::uint64_t> armed_for_;
  std::uint16_t close_code_ = 0;
  bool writing_ = false;
  bool closing_ = false;
  bool close_sent_ = false;
  bool closed_ = false;
};

}  // namespace sonoria::bench
