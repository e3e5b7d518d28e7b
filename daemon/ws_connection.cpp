#include "daemon/ws_connection.hpp"

#include <boost/asio/post.hpp>

namespace sonoria::daemon {

WsConnection::WsConnection(std::shared_ptr<net::WsChannel> channel, HttpRequest upgrade)
    : channel_(std::move(channel)), upgrade_(std::move(upgrade)) {}

WsConnection::~WsConnection() {
  // The last reference may go away on any thread; the channel is only touched on its executor.
  boost::asio::post(channel_->executor(), [channel = channel_] { channel->close(net::k_close_going_away); });
}

}  // namespace sonoria::daemon
