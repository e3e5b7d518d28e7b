#include "core/simulate/ticker.hpp"

#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>

using namespace sonoria::simulate;
using namespace std::chrono_literals;

namespace {

// Ticked `limit` times, recording the tick times it saw.
struct Counter : Tickable {
  explicit Counter(int limit, std::vector<std::string>* order = nullptr, std::string name = {})
      : limit(limit), order(order), name(std::move(name)) {}
  bool tick(std::chrono::steady_clock::time_point now) override {
    times.push_back(now);
    if (order) order->push_back(name);
    return static_cast<int>(times.size()) < limit;
  }
  int limit;
  std::vector<std::string>* order;
  std::string name;
  std::vector<std::chrono::steady_clock::time_point> times;
};

}  // namespace

TEST_CASE("every registered tickable is ticked once per tick until it declines, then the ticker stops") {
  boost::asio::io_context io;
  auto ticker = Ticker::create(io.get_executor(), 1ms);
  auto a = std::make_shared<Counter>(3);
  auto b = std::make_shared<Counter>(5);
  ticker->add(a);
  ticker->add(b);
  io.run();  // returns once nothing is left to tick
  CHECK(a->times.size() == 3);
  CHECK(b->times.size() == 5);
  CHECK(ticker->stats().ticks == 5);
  CHECK(ticker->stats().late_ticks <= ticker->stats().ticks);
  for (std::size_t i = 1; i < b->times.size(); ++i) CHECK(b->times[i] >= b->times[i - 1]);
}

TEST_CASE("scheduled actions run in time order on the first tick at or after their time, before the ticks") {
  boost::asio::io_context io;
  auto ticker = Ticker::create(io.get_executor(), 1ms);
  std::vector<std::string> order;
  const auto now = std::chrono::steady_clock::now();
  auto late = std::make_shared<Counter>(1, &order, "tick");
  ticker->at(now + 3ms, [&] {
    order.push_back("second");
    ticker->add(late);
  });
  ticker->at(now, [&] { order.push_back("first"); });
  io.run();
  CHECK(order == std::vector<std::string>{"first", "second", "tick"});
}

TEST_CASE("stop drops everything and the loop ends") {
  boost::asio::io_context io;
  auto ticker = Ticker::create(io.get_executor(), 1ms);
  auto forever = std::make_shared<Counter>(1'000'000);
  ticker->add(forever);
  ticker->at(std::chrono::steady_clock::now() + 2ms, [&] { ticker->stop(); });
  io.run();
  CHECK(forever->times.size() < 1'000'000);
}

TEST_CASE("with phases each tickable is still ticked once a period, and the tickables take turns within it") {
  boost::asio::io_context io;
  auto ticker = Ticker::create(io.get_executor(), 4ms, 4);
  std::vector<std::string> order;
  std::vector<std::shared_ptr<Counter>> counters;
  for (int i = 0; i < 4; ++i) {
    counters.push_back(std::make_shared<Counter>(3, &order, std::to_string(i)));
    ticker->add(counters.back());
  }
  io.run();
  for (const auto& c : counters) CHECK(c->times.size() == 3);
  // One per phase, in turn: never two in one timer expiry.
  CHECK(order == std::vector<std::string>{"0", "1", "2", "3", "0", "1", "2", "3", "0", "1", "2", "3"});
  CHECK(ticker->stats().ticks == 12);
  for (int i = 0; i < 3; ++i) CHECK(counters[0]->times[i] < counters[1]->times[i]);
}
