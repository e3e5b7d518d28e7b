#include "tests/support/webdriver.hpp"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <stdexcept>
#include <thread>

#include "core/twilio/base64.hpp"
#include "tests/support/http_test_client.hpp"

namespace sonoria::test {
namespace {

constexpr const char* k_chromium = "/usr/bin/chromium";
constexpr const char* k_chromedriver = "/usr/bin/chromedriver";
constexpr const char* k_element_key = "element-6066-11e4-a52e-4f735466cecf";

uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) throw std::runtime_error("cannot bind a free port");
  socklen_t size = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &size);
  ::close(fd);
  return ntohs(a.sin_port);
}

}  // namespace

bool browser_available() { return ::access(k_chromium, X_OK) == 0 && ::access(k_chromedriver, X_OK) == 0; }

struct Browser::Driver {
  pid_t pid = -1;
  std::string origin;
  ~Driver() {
    if (pid > 0) {
      ::kill(pid, SIGTERM);
      int status = 0;
      ::waitpid(pid, &status, 0);
    }
  }
};

Browser::Browser(BrowserOptions options) : driver_(std::make_unique<Driver>()) {
  if (!browser_available())
    throw std::runtime_error(std::string("Chromium is not installed (") + k_chromium + ", " + k_chromedriver +
                             "): run scripts/bootstrap");
  const uint16_t port = free_port();
  driver_->origin = "http://127.0.0.1:" + std::to_string(port);
  driver_->pid = ::fork();
  if (driver_->pid == 0) {
    const std::string port_arg = "--port=" + std::to_string(port);
    ::execl(k_chromedriver, k_chromedriver, port_arg.c_str(), "--log-level=OFF", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  // chromedriver answers /status once it listens.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (true) {
    try {
      if (http_get(driver_->origin + "/status").status == 200) break;
    } catch (const std::exception&) {
    }
    if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("chromedriver did not start within 15 s");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  nlohmann::json args = {"--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--no-first-run", "--disable-extensions",
                         "--window-size=" + std::to_string(options.width) + "," + std::to_string(options.height),
                         "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                         "--autoplay-policy=no-user-gesture-required"};
  if (!options.fake_microphone_wav.empty())
    args.push_back("--use-file-for-fake-audio-capture=" + options.fake_microphone_wav + "%noloop");
  nlohmann::json capabilities = {
      {"capabilities",
       {{"alwaysMatch", {{"browserName", "chrome"}, {"goog:chromeOptions", {{"binary", k_chromium}, {"args", args}}}}}}}};
  auto answer = command("POST", "/session", capabilities);
  session_ = answer.value("sessionId", "");
  if (session_.empty()) throw std::runtime_error("WebDriver gave no session: " + answer.dump());
}

Browser::~Browser() {
  if (!session_.empty()) {
    try {
      command("DELETE", "/session/" + session_);
    } catch (const std::exception&) {
    }
  }
}

nlohmann::json Browser::command(const std::string& method, const std::string& path, const nlohmann::json& body) {
  TestClientOptions options;
  options.timeout = std::chrono::seconds(30);
  HttpTestConnection connection(driver_->origin, options);
  TestHeaders headers;
  std::string text;
  if (!body.is_null()) {
    headers.emplace_back("Content-Type", "application/json");
    text = body.dump();
  }
  auto r = connection.request(method, path, headers, text);
  auto parsed = nlohmann::json::parse(r.body, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object())
    throw std::runtime_error("WebDriver " + method + " " + path + ": HTTP " + std::to_string(r.status) + " " + r.body);
  const auto& value = parsed.contains("value") ? parsed["value"] : parsed;
  if (r.status != 200) {
    throw std::runtime_error("WebDriver " + method + " " + path + ": " +
                             (value.is_object() ? value.value("error", "") + ": " + value.value("message", "") : r.body));
  }
  return value;
}

void Browser::go(const std::string& url) { command("POST", "/session/" + session_ + "/url", {{"url", url}}); }
std::string Browser::url() { return command("GET", "/session/" + session_ + "/url").get<std::string>(); }
std::string Browser::title() { return command("GET", "/session/" + session_ + "/title").get<std::string>(); }

std::string Browser::element(const std::string& css) {
  auto found = command("POST", "/session/" + session_ + "/element", {{"using", "css selector"}, {"value", css}});
  return found.at(k_element_key).get<std::string>();
}

bool Browser::exists(const std::string& css) {
  auto found = command("POST", "/session/" + session_ + "/elements", {{"using", "css selector"}, {"value", css}});
  return found.is_array() && !found.empty();
}

std::string Browser::find(const std::string& css, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!exists(css)) {
    if (std::chrono::steady_clock::now() > deadline)
      throw std::runtime_error("no element \"" + css + "\" on " + url() + " within " + std::to_string(timeout.count()) + " ms");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return element(css);
}

void Browser::type(const std::string& css, const std::string& text) {
  command("POST", "/session/" + session_ + "/element/" + find(css) + "/value", {{"text", text}});
}

void Browser::clear(const std::string& css) {
  command("POST", "/session/" + session_ + "/element/" + find(css) + "/clear", nlohmann::json::object());
}

void Browser::click(const std::string& css) {
  command("POST", "/session/" + session_ + "/element/" + find(css) + "/click", nlohmann::json::object());
}

std::string Browser::text(const std::string& css) {
  return command("GET", "/session/" + session_ + "/element/" + find(css) + "/text").get<std::string>();
}

nlohmann::json Browser::run(const std::string& script, const nlohmann::json& args) {
  return command("POST", "/session/" + session_ + "/execute/sync", {{"script", script}, {"args", args}});
}

nlohmann::json Browser::run_async(const std::string& script, const nlohmann::json& args) {
  return command("POST", "/session/" + session_ + "/execute/async", {{"script", script}, {"args", args}});
}

bool Browser::wait_until(const std::string& script, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    const auto v = run(script);
    if (v.is_boolean() && v.get<bool>()) return true;
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

std::string Browser::dialog_text() {
  return command("GET", "/session/" + session_ + "/alert/text").get<std::string>();
}

void Browser::accept_dialog() { command("POST", "/session/" + session_ + "/alert/accept", nlohmann::json::object()); }

void Browser::screenshot(const std::filesystem::path& file) {
  const auto png = twilio::base64_decode(command("GET", "/session/" + session_ + "/screenshot").get<std::string>());
  if (!png) throw std::runtime_error("the screenshot was not base64");
  std::ofstream(file, std::ios::binary) << *png;
}

}  // namespace sonoria::test
