#include "core/net/any_stream.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/beast/websocket/teardown.hpp>
#include <chrono>
#include <memory>

namespace sonoria::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
using boost::system::error_code;

namespace {

// What both kinds do alike: reads, writes and the WebSocket teardown go to the stream underneath.
template <class Stream>
class StreamImpl : public AnyStream::Impl {
 public:
  template <class... Args>
  explicit StreamImpl(Args&&... args) : stream_(std::forward<Args>(args)...) {}

  void read_some(const MutableBufferList& buffers, AnyStream::IoHandler handler) override {
    stream_.async_read_some(buffers, std::move(handler));
  }
  void write_some(const ConstBufferList& buffers, AnyStream::IoHandler handler) override {
    stream_.async_write_some(buffers, std::move(handler));
  }
  void teardown(beast::role_type role, error_code& ec) override {
    using beast::websocket::teardown;
    teardown(role, stream_, ec);
  }
  void async_teardown(beast::role_type role, AnyStream::Handler handler) override {
    using beast::websocket::async_teardown;
    async_teardown(role, stream_, std::move(handler));
  }

 protected:
  Stream stream_;
};

// The end of a plain WebSocket connection, once the close frames are exchanged or given up on.
//
// Beast's own TCP teardown (boost/beast/websocket/impl/teardown.hpp, 1.81) stops draining after the
// first read that returns data (it tests a byte count it never sets) and closes a socket that still
// holds unread bytes, to which the kernel answers with a reset. A peer still sending, such as the
// rest of a 16 MB message just refused with 1009, then has its write fail, and a client like
// Beast's gives up without reading the close frame that had already arrived. So this drains up to
// the peer's end of stream, bounded in time and bytes, and only then closes. The server shuts its
// sending side first, as RFC 6455 §7.1.1 asks; a client, after the server's end of stream.
class TcpTeardown : public std::enable_shared_from_this<TcpTeardown> {
 public:
  TcpTeardown(beast::tcp_stream& stream, beast::role_type role, AnyStream::Handler handler)
      : stream_(stream), role_(role), handler_(std::move(handler)) {}

  void start() {
    error_code ignored;
    if (role_ == beast::role_type::server) stream_.socket().shutdown(asio::socket_base::shutdown_send, ignored);
    stream_.expires_after(k_drain_time);
    read();
  }

 private:
  // A WebSocket's close timeout (net::WsLimits) usually ends the drain first.
  static constexpr std::chrono::seconds k_drain_time{10};
  static constexpr std::size_t k_drain_bytes = std::size_t{64} << 20;

  void read() {
    stream_.async_read_some(asio::buffer(scratch_), [self = shared_from_this()](error_code ec, std::size_t n) {
      self->drained_ += n;
      if (!ec && self->drained_ < k_drain_bytes) return self->read();
      self->finish();
    });
  }

  void finish() {
    error_code ignored;
    if (role_ == beast::role_type::client) stream_.socket().shutdown(asio::socket_base::shutdown_send, ignored);
    stream_.expires_never();
    stream_.socket().close(ignored);
    // How the drain ended (end of stream, reset, time) says nothing the close frames did not.
    auto handler = std::move(handler_);
    handler(error_code{});
  }

  beast::tcp_stream& stream_;
  beast::role_type role_;
  AnyStream::Handler handler_;
  std::array<char, 16 * 1024> scratch_{};
  std::size_t drained_ = 0;
};

class PlainImpl final : public StreamImpl<beast::tcp_stream> {
 public:
  explicit PlainImpl(beast::tcp_stream stream) : StreamImpl(std::move(stream)) {}

  beast::tcp_stream& tcp() override { return stream_; }
  SSL* native_handle() override { return nullptr; }
  void handshake(asio::ssl::stream_base::handshake_type, AnyStream::Handler handler) override {
    asio::post(stream_.get_executor(), [handler = std::move(handler)]() mutable { std::move(handler)(error_code{}); });
  }
  void shutdown(AnyStream::Handler handler) override {
    error_code ec;
    stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ec);
    asio::post(stream_.get_executor(), [handler = std::move(handler), ec]() mutable { std::move(handler)(ec); });
  }
  void async_teardown(beast::role_type role, AnyStream::Handler handler) override {
    std::make_shared<TcpTeardown>(stream_, role, std::move(handler))->start();
  }
};

class TlsImpl final : public StreamImpl<beast::ssl_stream<beast::tcp_stream>> {
 public:
  TlsImpl(beast::tcp_stream stream, asio::ssl::context& context) : StreamImpl(std::move(stream), context) {}

  beast::tcp_stream& tcp() override { return stream_.next_layer(); }
  SSL* native_handle() override { return stream_.native_handle(); }
  void handshake(asio::ssl::stream_base::handshake_type side, AnyStream::Handler handler) override {
    stream_.async_handshake(side, std::move(handler));
  }
  void shutdown(AnyStream::Handler handler) override { stream_.async_shutdown(std::move(handler)); }
  bool verify_peer_as(const std::string& host) {
    error_code not_an_address;
    asio::ip::make_address(host, not_an_address);
    // SNI carries host names only (RFC 6066); an IP literal is matched against the certificate.
    if (not_an_address && !SSL_set_tlsext_host_name(stream_.native_handle(), host.c_str())) return false;
    stream_.set_verify_mode(asio::ssl::verify_peer);
    stream_.set_verify_callback(asio::ssl::host_name_verification(host));
    return true;
  }
};

}  // namespace

AnyStream::AnyStream(beast::tcp_stream stream) : impl_(std::make_unique<PlainImpl>(std::move(stream))) {}
AnyStream::AnyStream(beast::tcp_stream stream, asio::ssl::context& context)
    : impl_(std::make_unique<TlsImpl>(std::move(stream), context)) {}
AnyStream::AnyStream(AnyStream&&) noexcept = default;
AnyStream& AnyStream::operator=(AnyStream&&) noexcept = default;
AnyStream::~AnyStream() = default;

AnyStream::executor_type AnyStream::get_executor() { return impl_->tcp().get_executor(); }
beast::tcp_stream& AnyStream::next_layer() { return impl_->tcp(); }
bool AnyStream::tls() const { return impl_->native_handle() != nullptr; }
SSL* AnyStream::native_handle() { return impl_->native_handle(); }

bool AnyStream::verify_peer_as(const std::string& host) {
  auto* tls = dynamic_cast<TlsImpl*>(impl_.get());
  return tls == nullptr || tls->verify_peer_as(host);
}

void AnyStream::teardown(beast::role_type role, error_code& ec) { impl_->teardown(role, ec); }
void AnyStream::async_teardown(beast::role_type role, Handler handler) { impl_->async_teardown(role, std::move(handler)); }

}  // namespace sonoria::net
