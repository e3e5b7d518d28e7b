#include "daemon/test_call.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "core/db/records.hpp"
#include "daemon/admission.hpp"
#include "daemon/call_registry.hpp"
#include "daemon/db_writer.hpp"
#include "daemon/log.hpp"
#include "daemon/media_session.hpp"
#include "daemon/metrics.hpp"

namespace sonoria::daemon {

void start_test_call(Services& s, TestCallRequest request, std::function<void(TestCallStarted)> done) {
  // Admission and the registry belong to the io_context, as for the voice webhook.
  boost::asio::post(s.io, [&s, request = std::move(request), done = std::move(done)] {
    TestCallStarted started;
    started.call_sid = "TE" + CallRegistry::mint_token();
    const auto& profile = request.profile;
    const std::string to = profile->organization.phone_numbers.empty() ? "" : profile->organization.phone_numbers.front();
    const auto now = db::now_ms();
    // Counted against the user who places it, not the number typed in: test calls must not
    // rate-limit a real caller's number.
    Admit admit = s.admission.admit("dashboard:" + request.tester, Admission::Clock::now());
    if (admit != Admit::yes) {
      started.refused = admit_reason(admit);
      log_info("call.test_refused", started.call_sid, "", {{"reason", started.refused}, {"by", request.tester}});
      return done(std::move(started));
    }
    db::CallOpened opened{started.call_sid, profile->id, "inbound", request.from, to, "ringing", now, std::nullopt,
                          request.tester};
    s.writer.post(std::move(opened));
    started.token = "t" + CallRegistry::mint_token();
    MediaSession::Params p;
    p.call_sid = started.call_sid;
    p.profile = profile;
    p.from = request.from;
    p.to = to;
    p.started_at = now;
    p.test_by = request.tester;
    auto session = MediaSession::create(s, std::move(p));
    s.calls.add(started.call_sid, started.token, session, profile, to);
    log_info("call.test_started", started.call_sid, "a test call from the dashboard",
             {{"org", profile->organization.slug}, {"by", request.tester}});
    session->start_ringing();
    done(std::move(started));
  });
}

}  // namespace sonoria::daemon
