#include "tests/bench/engine_session.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/websocket.hpp>

#include "core/simulate/probe.hpp"

namespace sonoria::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;

EngineSession::EngineSession(asio::ip::tcp::socket socket, EngineShared& shared, std::unique_ptr<Protocol> protocol)
    : ws_(std::move(socket)), timer_(ws_.get_executor()), shared_(shared), protocol_(std::move(protocol)) {}

void EngineSession::run(http::request<http::string_body> upgrade, bool refuse_beta) {
  const bool beta = refuse_beta && upgrade.find("OpenAI-Beta") != upgrade.end();
  websocket::stream_base::timeout timeouts = websocket::stream_base::timeout::suggested(beast::role_type::server);
  ws_.set_option(timeouts);
  ws_.read_message_max(4 * 1024 * 1024);
  ws_.text(true);
  ws_.async_accept(upgrade, [self = shared_from_this(), beta](beast::error_code ec) { self->on_accept(ec, beta); });
}

void EngineSession::on_accept(beast::error_code ec, bool beta) {
  if (ec) return;  // never opened: not counted
  shared_.stats.count_session(protocol_->engine());
  ++shared_.stats.sessions_open;
  do_read();
  if (beta) {
    shared_.stats.count_error("beta_api_shape_disabled");
    outbox_.push_back(Conversation::beta_refusal());
    flush();
    close_after_flush(Conversation::k_beta_close_code);
    return;
  }
  protocol_->open(outbox_);
  flush();
}

void EngineSession::do_read() {
  ws_.async_read(read_buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
}

void EngineSession::on_read(beast::error_code ec) {
  if (ec) {
    on_closed();
    return;
  }
  const std::uint64_t now = simulate::monotonic_ns();
  if (!closing_) {
    const auto data = read_buffer_.cdata();
    const std::string_view bytes(static_cast<const char*>(data.data()), data.size());
    protocol_->on_message(bytes, ws_.got_binary(), now, outbox_);
  }
  read_buffer_.consume(read_buffer_.size());
  // A session.update with a long prompt grows the buffer; audio frames need a fraction of that.
  if (read_buffer_.capacity() > 64 * 1024) read_buffer_.shrink_to_fit();
  flush();
  arm_timer();
  do_read();
}

void EngineSession::flush() {
  for (auto& message : outbox_) {
    queued_bytes_ += message.data.size();
    queue_.push_back(std::move(message));
  }
  outbox_.clear();
  if (queued_bytes_ > k_max_queued_bytes) {
    shared_.stats.count_error("write_queue_overflow");
    drop();
    return;
  }
  if (!writing_) do_write();
}

void EngineSession::do_write() {
  if (closed_) return;
  if (queue_.empty()) {
    if (closing_ && !close_sent_) {
      close_sent_ = true;
      ws_.async_close(websocket::close_reason(close_code_), [self = shared_from_this()](beast::error_code) {});
    }
    return;
  }
  writing_ = true;
  ws_.binary(queue_.front().binary);
  ws_.async_write(asio::buffer(queue_.front().data), [self = shared_from_this()](beast::error_code ec, std::size_t) {
    self->writing_ = false;
    if (ec) {
      self->queue_.clear();
      self->queued_bytes_ = 0;
      return;  // the read loop reports the closure
    }
    self->queued_bytes_ -= self->queue_.front().data.size();
    self->queue_.pop_front();
    self->do_write();
  });
}

void EngineSession::arm_timer() {
  if (closed_ || closing_) return;
  const auto due = protocol_->next_due_ns();
  if (!due) {
    if (armed_for_) {
      armed_for_.reset();
      timer_.cancel();
    }
    return;
  }
  if (armed_for_ == due) return;
  armed_for_ = due;
  const std::uint64_t now = simulate::monotonic_ns();
  timer_.expires_after(std::chrono::nanoseconds(*due > now ? *due - now : 0));
  timer_.async_wait([self = shared_from_this()](beast::error_code ec) { self->on_timer(ec); });
}

void EngineSession::on_timer(beast::error_code ec) {
  if (ec || closed_ || closing_) return;  // re-armed or cancelled: a newer wait owns the timer
  armed_for_.reset();
  protocol_->on_due(simulate::monotonic_ns(), outbox_);
  flush();
  arm_timer();
}

void EngineSession::close_after_flush(std::uint16_t code) {
  if (closing_ || closed_) return;
  closing_ = true;
  close_code_ = code;
  timer_.cancel();
  if (!writing_) do_write();
}

void EngineSession::drop() {
  if (closed_) return;
  beast::error_code ignored;
  beast::get_lowest_layer(ws_).shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  beast::get_lowest_layer(ws_).close(ignored);
  on_closed();
}

void EngineSession::on_closed() {
  if (closed_) return;
  closed_ = true;
  timer_.cancel();
  queue_.clear();
  queued_bytes_ = 0;
  --shared_.stats.sessions_open;
}

}  // namespace sonoria::bench
