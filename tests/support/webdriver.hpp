#pragma once
// A real headless Chromium driven over W3C WebDriver (Debian's chromium and chromium-driver,
// installed by scripts/bootstrap), for the dashboard's browser tests. Starts its own chromedriver
// on a free loopback port and stops it (and the browser) when destroyed. Failures throw
// std::runtime_error saying what the driver answered — for test threads, which doctest reports.

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace sonoria::test {

struct BrowserOptions {
  // A WAV file Chromium's fake microphone plays (getUserMedia); "" = its built-in beep.
  std::string fake_microphone_wav;
  int width = 1280;
  int height = 900;
};

class Browser {
 public:
  explicit Browser(BrowserOptions options = {});
  ~Browser();
  Browser(const Browser&) = delete;
  Browser& operator=(const Browser&) = delete;

  void go(const std::string& url);
  std::string url();
  std::string title();
  // The first element matching the CSS selector, waiting up to `timeout` for it; throws if none.
  std::string find(const std::string& css, std::chrono::milliseconds timeout = std::chrono::seconds(5));
  bool exists(const std::string& css);
  void type(const std::string& css, const std::string& text);
  void clear(const std::string& css);
  void click(const std::string& css);
  std::string text(const std::string& css);
  // Runs `script` (a function body; `arguments` holds `args`) in the page and returns its value.
  nlohmann::json run(const std::string& script, const nlohmann::json& args = nlohmann::json::array());
  // Same, for a script that finishes by calling arguments[arguments.length - 1](value).
  nlohmann::json run_async(const std::string& script, const nlohmann::json& args = nlohmann::json::array());
  // Waits until `script` (a function body) returns true; false after `timeout`.
  bool wait_until(const std::string& script, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // The text of the open confirm()/alert() dialog, and answering it (WebDriver's user prompts).
  std::string dialog_text();
  void accept_dialog();
  // A PNG of the window.
  void screenshot(const std::filesystem::path& file);

 private:
  nlohmann::json command(const std::string& method, const std::string& path, const nlohmann::json& body = nullptr);
  std::string element(const std::string& css);

  struct Driver;
  std::unique_ptr<Driver> driver_;
  std::string session_;
};

// True when Chromium and its driver are installed (scripts/bootstrap installs both).
bool browser_available();

}  // namespace sonoria::test
