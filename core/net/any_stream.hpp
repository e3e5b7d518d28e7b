#pragma once
// A TCP connection, plain or TLS, behind one type that Beast's HTTP and WebSocket code accepts as
// an AsyncStream. Beast instantiates its composed operations once per stream type and completion
// handler: with a plain and a TLS stream type every HTTP session and WebSocket of the daemon and
// of the clients was compiled twice, and the TLS copy (Asio's SSL operations wrapped around each of
// Beast's) cost more than half a minute of a build. Here the SSL operations are compiled once, in
// any_stream.cpp, for a type-erased handler. Per read or write that costs one virtual call and one
// small allocation, which is nothing next to the system call it makes.
//
// Only for translation units that compile Beast (it includes Beast's tcp_stream).

#include <array>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ssl/stream_base.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <cstddef>
#include <memory>
#include <string>

typedef struct ssl_st SSL;
namespace boost::asio::ssl {
class context;
}

namespace sonoria::net {

// Up to k_max buffers of a sequence, in order: a write of a WebSocket frame's header and payload
// stays one system call. Asio's SSL stream only ever uses the first.
template <class Buffer>
struct BufferList {
  static constexpr std::size_t k_max = 16;
  std::array<Buffer, k_max> items{};
  std::size_t count = 0;

  BufferList() = default;
  template <class Sequence>
  explicit BufferList(const Sequence& sequence) {
    for (auto it = boost::asio::buffer_sequence_begin(sequence);
         it != boost::asio::buffer_sequence_end(sequence) && count < k_max; ++it) {
      Buffer buffer(*it);
      if (buffer.size() != 0) items[count++] = buffer;
    }
  }
  const Buffer* begin() const { return items.data(); }
  const Buffer* end() const { return items.data() + count; }
};
using MutableBufferList = BufferList<boost::asio::mutable_buffer>;
using ConstBufferList = BufferList<boost::asio::const_buffer>;

// A completion handler behind one type, with the executor it is associated with (the stream's, or
// the one bound to it). Asio's any_completion_handler would do, but in Boost 1.81 its executor
// cannot be posted to, and Beast posts completions.
template <class Signature>
class ErasedHandler;

template <class... Args>
class ErasedHandler<void(Args...)> {
 public:
  using executor_type = boost::asio::any_io_executor;

  template <class Handler>
  ErasedHandler(Handler&& handler, const executor_type& fallback)
      : executor_(boost::asio::get_associated_executor(handler, fallback)),
        call_(std::make_unique<Model<std::decay_t<Handler>>>(std::forward<Handler>(handler))) {}

  executor_type get_executor() const noexcept { return executor_; }

  void operator()(Args... args) {
    auto call = std::move(call_);  // a handler is invoked once
    call->invoke(std::move(args)...);
  }

 private:
  struct Concept {
    virtual ~Concept() = default;
    virtual void invoke(Args... args) = 0;
  };
  template <class Handler>
  struct Model final : Concept {
    explicit Model(Handler&& h) : handler(std::move(h)) {}
    explicit Model(const Handler& h) : handler(h) {}
    void invoke(Args... args) override { std::move(handler)(std::move(args)...); }
    Handler handler;
  };

  executor_type executor_;
  std::unique_ptr<Concept> call_;
};

using AnyIoHandler = ErasedHandler<void(boost::system::error_code, std::size_t)>;
using AnyHandler = ErasedHandler<void(boost::system::error_code)>;

// A plain or a TLS connection (any_stream.cpp).
class AnyStreamImpl {
 public:
  virtual ~AnyStreamImpl() = default;
  virtual boost::beast::tcp_stream& tcp() = 0;
  boost::asio::any_io_executor executor() { return tcp().get_executor(); }
  virtual SSL* native_handle() = 0;
  virtual void read_some(const MutableBufferList& buffers, AnyIoHandler handler) = 0;
  virtual void write_some(const ConstBufferList& buffers, AnyIoHandler handler) = 0;
  virtual void handshake(boost::asio::ssl::stream_base::handshake_type side, AnyHandler handler) = 0;
  virtual void shutdown(AnyHandler handler) = 0;
  virtual void teardown(boost::beast::role_type role, boost::system::error_code& ec) = 0;
  virtual void async_teardown(boost::beast::role_type role, AnyHandler handler) = 0;
};

class AnyStream {
 public:
  using executor_type = boost::asio::any_io_executor;
  using IoHandler = AnyIoHandler;
  using Handler = AnyHandler;

  // A plain connection, or TLS over it with `context` (which must outlive the stream).
  explicit AnyStream(boost::beast::tcp_stream stream);
  AnyStream(boost::beast::tcp_stream stream, boost::asio::ssl::context& context);
  AnyStream(AnyStream&&) noexcept;
  AnyStream& operator=(AnyStream&&) noexcept;
  ~AnyStream();

  executor_type get_executor();
  // The TCP stream underneath (its timeouts bound every operation); beast::get_lowest_layer finds it.
  boost::beast::tcp_stream& next_layer();
  bool tls() const;
  // The TLS connection's OpenSSL handle; nullptr on a plain one.
  SSL* native_handle();
  // A client's TLS: SNI with `host` when it is a name, and the peer's certificate verified for it.
  // False when OpenSSL refuses the name for SNI. No effect on a plain connection.
  bool verify_peer_as(const std::string& host);

  template <class MutableBufferSequence, class Token>
  auto async_read_some(const MutableBufferSequence& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [](auto handler, Impl* impl, const MutableBufferList& list) {
          impl->read_some(list, IoHandler(std::move(handler), impl->executor()));
        },
        token, impl_.get(), MutableBufferList(buffers));
  }

  template <class ConstBufferSequence, class Token>
  auto async_write_some(const ConstBufferSequence& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [](auto handler, Impl* impl, const ConstBufferList& list) {
          impl->write_some(list, IoHandler(std::move(handler), impl->executor()));
        },
        token, impl_.get(), ConstBufferList(buffers));
  }

  // The TLS handshake; completes at once on a plain connection.
  template <class Token>
  auto async_handshake(boost::asio::ssl::stream_base::handshake_type side, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code)>(
        [](auto handler, Impl* impl, boost::asio::ssl::stream_base::handshake_type s) {
          impl->handshake(s, Handler(std::move(handler), impl->executor()));
        },
        token, impl_.get(), side);
  }

  // TLS close_notify; on a plain connection, shuts down the sending side.
  template <class Token>
  auto async_shutdown(Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code)>(
        [](auto handler, Impl* impl) { impl->shutdown(Handler(std::move(handler), impl->executor())); }, token,
        impl_.get());
  }

  // What a WebSocket does when its closing handshake is over (found by Beast through ADL).
  void teardown(boost::beast::role_type role, boost::system::error_code& ec);
  void async_teardown(boost::beast::role_type role, Handler handler);

  using Impl = AnyStreamImpl;

 private:
  std::unique_ptr<Impl> impl_;
};

inline void teardown(boost::beast::role_type role, AnyStream& stream, boost::system::error_code& ec) {
  stream.teardown(role, ec);
}

template <class TeardownHandler>
void async_teardown(boost::beast::role_type role, AnyStream& stream, TeardownHandler&& handler) {
  stream.async_teardown(role, AnyStream::Handler(std::forward<TeardownHandler>(handler), stream.get_executor()));
}

}  // namespace sonoria::net
