#pragma once
// The dashboard's live calls: every open event stream (GET /app/live) gets the calls on the line
// that its viewer may see, as a Server-Sent Event `calls` whenever that list changes, and a
// comment every 15 s so a closed tab is noticed. The list comes from the CallRegistry (this
// daemon's calls), sampled once a second while anyone watches. A stream ends after two minutes
// and the browser reconnects through the session check again.
//
// Threading: subscribe() and stop() from any thread; the sampling runs on the io_context.

#include <memory>
#include <optional>

#include "daemon/http_message.hpp"

namespace sonoria::daemon {

struct Services;

class LiveFeed {
 public:
  explicit LiveFeed(Services& services);
  ~LiveFeed();
  LiveFeed(const LiveFeed&) = delete;
  LiveFeed& operator=(const LiveFeed&) = delete;

  // `organization_id` nullopt = every organization (admins).
  void subscribe(std::shared_ptr<ResponseSink> sink, std::optional<int64_t> organization_id);
  // Ends every stream and samples no more (the daemon is draining).
  void stop();

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace sonoria::daemon
