#include "daemon/live_feed.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <algorithm>
#include <mutex>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/dashboard/html.hpp"
#include "daemon/call_registry.hpp"
#include "daemon/media_session.hpp"
#include "daemon/services.hpp"

namespace sonoria::daemon {

struct LiveFeed::State : std::enable_shared_from_this<LiveFeed::State> {
  struct Subscriber {
    std::shared_ptr<ResponseSink> sink;
    std::optional<int64_t> organization_id;
    std::string last_sent;   // the data of the last `calls` event; "" = none yet
    int quiet_ticks = 0;
    int age_ticks = 0;
  };

  // A stream's session was checked when it opened: it is ended after this long, and the browser's
  // EventSource reconnects through the session check, so a signed-out or removed user stops
  // seeing callers within two minutes.
  static constexpr int k_max_age_ticks = 120;

  explicit State(Services& s) : services(s), timer(s.io) {}

  // The calls on the line, each with the organization it belongs to.
  std::vector<std::pair<std::optional<int64_t>, nlohmann::json>> sample() const {
    std::vector<std::pair<std::optional<int64_t>, nlohmann::json>> out;
    for (const auto& session : services.calls.live_sessions()) {
      const auto& p = session->params();
      std::optional<int64_t> org;
      std::string name;
      if (p.profile) {
        org = p.profile->id;
        name = p.profile->organization.name;
      }
      out.emplace_back(org, nlohmann::json{{"sid", p.call_sid},
                                           {"organization", name},
                                           {"from", p.from},
                                           {"to", p.to},
                                           {"direction", p.direction},
                                           {"started_ms", p.started_at.time_since_epoch().count()},
                                           {"href", "/app/calls/" + dashboard::percent_encode(p.call_sid)}});
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
      return a.second["started_ms"].template get<int64_t>() < b.second["started_ms"].template get<int64_t>();
    });
    return out;
  }

  void tick() {
    std::lock_guard lock(mutex);
    if (stopped) return;
    const auto calls = sample();
    for (auto& sub : subscribers) {
      auto visible = nlohmann::json::array();
      for (const auto& [org, call] : calls)
        if (!sub.organization_id || (org && *org == *sub.organization_id)) visible.push_back(call);
      std::string data = visible.dump();
      bool ok = true;
      if (data != sub.last_sent) {
        ok = sub.sink->write("event: calls\ndata: " + data + "\n\n");
        sub.last_sent = std::move(data);
        sub.quiet_ticks = 0;
      } else if (++sub.quiet_ticks >= 15) {
        ok = sub.sink->write(": still here\n\n");
        sub.quiet_ticks = 0;
      }
      if (ok && ++sub.age_ticks >= k_max_age_ticks) {
        sub.sink->close();
        ok = false;
      }
      if (!ok) sub.sink.reset();
    }
    std::erase_if(subscribers, [](const Subscriber& s) { return !s.sink; });
    schedule_locked();
  }

  void schedule_locked() {
    if (subscribers.empty() || scheduled || stopped) return;
    scheduled = true;
    timer.expires_after(std::chrono::seconds(1));
    timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      {
        std::lock_guard guard(self->mutex);
        self->scheduled = false;
      }
      if (!ec) self->tick();
    });
  }

  Services& services;
  boost::asio::steady_timer timer;
  std::mutex mutex;
  std::vector<Subscriber> subscribers;
  bool scheduled = false;
  bool stopped = false;
};

LiveFeed::LiveFeed(Services& services) : state_(std::make_shared<State>(services)) {}

LiveFeed::~LiveFeed() { stop(); }

void LiveFeed::subscribe(std::shared_ptr<ResponseSink> sink, std::optional<int64_t> organization_id) {
  // The first event goes out on the next tick (within a second); retry: tells the browser how
  // soon to reconnect if the stream drops.
  sink->write("retry: 3000\n\n");
  std::lock_guard lock(state_->mutex);
  if (state_->stopped) return sink->close();
  state_->subscribers.push_back({std::move(sink), organization_id, "", 0});
  boost::asio::post(state_->services.io, [state = state_] {
    std::lock_guard guard(state->mutex);
    state->schedule_locked();
  });
}

void LiveFeed::stop() {
  std::lock_guard lock(state_->mutex);
  state_->stopped = true;
  for (auto& sub : state_->subscribers) sub.sink->close();
  state_->subscribers.clear();
  boost::asio::post(state_->services.io, [state = state_] { state->timer.cancel(); });
}

}  // namespace sonoria::daemon
