#pragma once
// What the dashboard's tests start from (over HTTP, and in a real browser).
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <functional>
#include <regex>
#include <thread>

#include "core/auth/password_hash.hpp"
#include "core/dashboard/html.hpp"
#include "core/db/database.hpp"
#include "core/db/migrations.hpp"
#include "core/org/profile_toml.hpp"
#include "daemon/daemon.hpp"
#include "tests/integration/loopback_daemon.hpp"
#include "tests/support/http_test_client.hpp"
#include "tests/support/seed_calls.hpp"
#include "tests/support/temp_dir.hpp"

namespace sonoria::test {

using namespace std::chrono_literals;

inline const std::string k_password = "open sesame 42";

// Polls `done` (what the daemon's writer has stored, say) every 20 ms until true or `timeout`.
inline bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

// A daemon with two organizations (the yoga studio and the dental clinic), 30 seeded calls each,
// and three users: ana (owner of the studio), ben (staff of the clinic), root (admin).
struct Dashboard {
  test::TempDir dir;
  fakes::FakeOpenAiRealtime engine;
  config::Settings settings = test::loopback_settings(dir, engine, test::k_public, test::k_token);
  std::unique_ptr<daemon::Daemon> daemon;
  std::string origin;
  int64_t studio = 0;
  int64_t clinic = 0;
  std::vector<test::SeededCall> studio_calls;
  std::vector<test::SeededCall> clinic_calls;

  explicit Dashboard(bool with_users = true, const std::function<void(config::Settings&)>& tweak = {}) {
    if (tweak) tweak(settings);
    {
      db::Database database(settings.database, db::SchemaCheck::none);
      database.migrate();
      studio = database.orgs().upsert(org::load_profile_file(test::source_dir() / "examples" / "yoga-studio.toml"));
      clinic = database.orgs().upsert(org::load_profile_file(test::source_dir() / "examples" / "dental-clinic.toml"));
      test::SeedOptions o;
      o.calls = 30;
      o.organization_id = studio;
      studio_calls = test::seed_calls(database.calls(), o);
      o.organization_id = clinic;
      o.first = 1000;
      clinic_calls = test::seed_calls(database.calls(), o);
      if (with_users) {
        add(database, "ana", "owner", studio);
        add(database, "ben", "staff", clinic);
        add(database, "root", "admin", std::nullopt);
      }
    }
    daemon = std::make_unique<daemon::Daemon>(settings);
    daemon->start();
    origin = "http://127.0.0.1:" + std::to_string(daemon->port());
  }
  ~Dashboard() {
    daemon->request_stop();
    daemon->wait();
  }
  static void add(db::Database& database, const std::string& name, const std::string& role, std::optional<int64_t> org) {
    db::UserRow u;
    u.username = name;
    u.role = role;
    u.organization_id = org;
    u.password_hash = auth::hash_password(k_password, {10, 8, 1});
    database.users().add(u);
  }
  test::HttpTestResponse get(const std::string& target, const std::string& cookie = "") {
    test::TestHeaders h;
    if (!cookie.empty()) h.emplace_back("Cookie", cookie);
    return test::http_get(origin + target, h);
  }
  test::HttpTestResponse post(const std::string& target, const std::string& cookie, const std::string& body,
                              test::TestHeaders extra = {}) {
    extra.emplace_back("Cookie", cookie);
    extra.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    return test::http_post(origin + target, extra, body);
  }
  // Signs in through the form; returns the session cookie ("sonoria_session=…"), or the failed response's status.
  std::pair<std::string, test::HttpTestResponse> sign_in(const std::string& user, const std::string& password) {
    auto form = get("/app/login");
    REQUIRE(form.status == 200);
    const std::string login_cookie = cookie_of(form.header("set-cookie"));
    std::smatch m;
    REQUIRE(std::regex_search(form.body, m, std::regex("name=\"csrf\" value=\"([0-9a-f]+)\"")));
    auto r = post("/app/login", login_cookie,
                  "csrf=" + m[1].str() + "&next=%2Fapp%2Fcalls&username=" + user + "&password=" +
                      dashboard::percent_encode(password));
    if (r.status != 303) return {"", r};
    return {cookie_of(r.header("set-cookie"), "sonoria_session="), r};
  }
  // The cookie (name=value) a response sets whose name starts `prefix` ("" = the first one).
  static std::string cookie_of(const std::string& set_cookies, const std::string& prefix = "") {
    std::size_t at = 0;
    while (at < set_cookies.size()) {
      const std::size_t end = std::min(set_cookies.find('\n', at), set_cookies.size());
      const std::string line = set_cookies.substr(at, end - at);
      if (line.rfind(prefix, 0) == 0) return line.substr(0, line.find(';'));
      at = end + 1;
    }
    return "";
  }
  static std::string csrf_of(const std::string& page) {
    std::smatch m;
    if (!std::regex_search(page, m, std::regex("name=\"csrf\" value=\"([0-9a-f]+)\""))) return "";
    return m[1].str();
  }
};

// Reads a text/event-stream response as it arrives (the blocking test client waits for a whole body).
class EventStream {
 public:
  EventStream(uint16_t port, const std::string& cookie) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    const std::string request = "GET /app/live HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\nCookie: " +
                                cookie + "\r\n\r\n";
    REQUIRE(::send(fd_, request.data(), request.size(), 0) == static_cast<ssize_t>(request.size()));
  }
  ~EventStream() { ::close(fd_); }
  // Everything received so far, waiting up to `timeout` for `text` to appear in it.
  bool wait_for(const std::string& text, std::chrono::milliseconds timeout = 5s, std::size_t from = 0) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (received_.find(text, from) == std::string::npos) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left <= 0ms) return false;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char buffer[4096];
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) return false;
      received_.append(buffer, static_cast<size_t>(n));
    }
    return true;
  }
  const std::string& received() const { return received_; }

 private:
  int fd_ = -1;
  std::string received_;
};

}  // namespace sonoria::test
