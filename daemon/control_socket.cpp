#include "daemon/control_socket.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon/log.hpp"

namespace sonoria::daemon {
namespace {

constexpr std::size_t k_max_line = 256;

bool fill_address(const std::string& path, sockaddr_un& address) {
  std::memset(&address, 0, sizeof address);
  address.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof address.sun_path) return false;
  std::memcpy(address.sun_path, path.data(), path.size());
  return true;
}

// Connects to `path`; -1 with errno set when nobody listens.
int connect_to(const std::string& path) {
  sockaddr_un address;
  if (!fill_address(path, address)) {
    errno = ENAMETOOLONG;
    return -1;
  }
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    const int saved = errno;
    ::close(fd);
    errno = saved;
    return -1;
  }
  return fd;
}

void set_timeouts(int fd, std::chrono::milliseconds timeout) {
  timeval tv{static_cast<time_t>(timeout.count() / 1000), static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

// Reads one line (without its newline); nullopt on a timeout, an error or an over-long line.
std::optional<std::string> read_line(int fd) {
  std::string line;
  char buffer[128];
  while (line.size() <= k_max_line) {
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return line.empty() ? std::nullopt : std::optional<std::string>(line);
    line.append(buffer, static_cast<std::size_t>(n));
    if (auto end = line.find('\n'); end != std::string::npos) return line.substr(0, end);
  }
  return std::nullopt;
}

void write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

}  // namespace

std::string control_socket_path(const config::DatabaseSettings& database) {
  std::string path = database.path + ".sock";
  return path.size() < sizeof(sockaddr_un::sun_path) ? path : std::string();
}

ControlSocket::ControlSocket(std::string path, Handler handler) : path_(std::move(path)), handler_(std::move(handler)) {
  sockaddr_un address;
  if (!fill_address(path_, address)) {
    log_warn("control.unavailable", "", "the database path is too long for a control socket beside it; "
                                        "`sonoria org import` cannot tell this daemon (it reloads within 15 s)");
    return;
  }
  if (int other = connect_to(path_); other >= 0) {
    ::close(other);
    log_warn("control.taken", "", "another sonoria daemon already serves this database; this one has no control socket",
             {{"socket", path_}});
    return;
  }
  ::unlink(path_.c_str());  // a socket file left by a daemon that was killed
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || ::listen(fd, 8) != 0 ||
      ::chmod(path_.c_str(), 0600) != 0 || ::pipe2(stop_pipe_, O_CLOEXEC) != 0) {
    log_warn("control.unavailable", "", std::string("cannot open the control socket: ") + std::strerror(errno),
             {{"socket", path_}});
    if (fd >= 0) ::close(fd);
    ::unlink(path_.c_str());
    return;
  }
  listen_fd_ = fd;
  thread_ = std::thread([this] { run(); });
}

ControlSocket::~ControlSocket() {
  if (listen_fd_ < 0) return;
  const char stop = 'x';
  [[maybe_unused]] auto n = ::write(stop_pipe_[1], &stop, 1);
  if (thread_.joinable()) thread_.join();
  ::close(listen_fd_);
  ::close(stop_pipe_[0]);
  ::close(stop_pipe_[1]);
  ::unlink(path_.c_str());
}

void ControlSocket::run() {
  for (;;) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      log_error("control.failed", "", std::string("the control socket stopped: ") + std::strerror(errno));
      return;
    }
    if (fds[1].revents) return;
    if (!(fds[0].revents & POLLIN)) continue;
    int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    serve_one(client);
    ::close(client);
  }
}

void ControlSocket::serve_one(int fd) {
  set_timeouts(fd, std::chrono::seconds(2));  // a client that says nothing does not hold the socket
  auto command = read_line(fd);
  if (!command) return;
  std::string answer;
  try {
    answer = handler_(*command);
  } catch (const std::exception& e) {
    answer = std::string("error: ") + e.what();
  }
  write_all(fd, answer + "\n");
}

std::optional<std::string> ask_running_daemon(const std::string& path, std::string_view command,
                                              std::chrono::milliseconds timeout) {
  int fd = connect_to(path);
  if (fd < 0) return std::nullopt;
  set_timeouts(fd, timeout);
  write_all(fd, std::string(command) + "\n");
  auto answer = read_line(fd);
  ::close(fd);
  if (!answer) return "error: the daemon did not answer within " + std::to_string(timeout.count() / 1000) + " s";
  return answer;
}

}  // namespace sonoria::daemon
