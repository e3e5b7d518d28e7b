#include "daemon/google_book.hpp"

#include <algorithm>
#include <map>

#include "core/booking/local_clock.hpp"

namespace sonoria::daemon {

GoogleBook::GoogleBook(boost::asio::any_io_executor strand, const config::GoogleSettings& settings,
                       std::shared_ptr<const GoogleAccount> account, std::shared_ptr<const org::Profile> profile)
    : client_(gcal::CalendarClient::create(std::move(strand), settings, account->account, account->tokens)),
      profile_(std::move(profile)) {}

std::string GoogleBook::calendar_of(const std::string& team_member, const std::string& location) const {
  if (!team_member.empty()) {
    for (const auto& t : profile_->team)
      if (t.name == team_member) return t.calendar_id;
    return "";
  }
  for (const auto& l : profile_->organization.locations)
    if (l.name == location) return l.calendar_id;
  return "";
}

void GoogleBook::busy(const std::string& service, std::chrono::year_month_day first, std::chrono::year_month_day last,
                      BusyDone done) {
  std::map<std::string, std::vector<std::string>> resources_of;  // calendar → the columns it holds
  std::vector<std::string> ids;
  std::vector<booking::Column> columns;
  for (const auto& s : profile_->services) {
    if (!service.empty() && s.name != service) continue;
    for (auto& c : booking::columns_for(*profile_, s.name)) columns.push_back(std::move(c));
  }
  for (const auto& column : columns) {
    const std::string calendar = calendar_of(column.team_member, column.location);
    if (calendar.empty()) continue;
    auto& resources = resources_of[calendar];
    if (resources.empty()) ids.push_back(calendar);
    if (std::find(resources.begin(), resources.end(), column.resource) == resources.end())
      resources.push_back(column.resource);
  }
  if (ids.empty()) return done({}, "no calendar is set for who performs " + (service.empty() ? "the services" : service) + " (calendar_id in the profile)");
  const booking::LocalClock clock(profile_->organization.timezone);
  const int64_t from = clock.instant_or_after({first, 0}).time_since_epoch().count() - 86400;
  const int64_t to = clock.instant_or_after({last, org::k_minutes_per_day}).time_since_epoch().count() + 86400;
  client_->free_busy(ids, from, to, profile_->organization.timezone,
                     [resources_of, done = std::move(done)](gcal::CalendarResult<gcal::FreeBusy> result) {
                       if (!result.ok()) return done({}, result.error ? result.error->explain() : "no answer");
                       std::vector<booking::Busy> busy;
                       for (const auto& [calendar, intervals] : result.value->busy) {
                         const auto it = resources_of.find(calendar);
                         if (it == resources_of.end()) continue;  // not asked for
                         for (const auto& resource : it->second)
                           for (const auto& i : intervals)
                             busy.push_back({resource, booking::Instant{std::chrono::seconds{i.from}},
                                             booking::Instant{std::chrono::seconds{i.to}}});
                       }
                       for (const auto& [calendar, reason] : result.value->errors)
                         return done({}, gcal::GoogleError{reason == "notFound" ? 404 : 403, reason, ""}.explain());
                       done(std::move(busy), "");
                     });
}

void GoogleBook::sync(const std::optional<db::Appointment>& before, const db::Appointment& after, SyncDone done) {
  auto finish = [after, done](std::string calendar, gcal::CalendarResult<std::string> result) {
    if (!result.ok()) return done(std::nullopt, result.error ? result.error->explain() : "no answer");
    db::Appointment synced = after;
    synced.calendar_id = std::move(calendar);
    synced.event_id = *result.value;
    done(std::move(synced), "");
  };
  const std::string calendar = calendar_of(after.team_member, after.location);
  if (after.status == "cancelled") {
    if (after.event_id.empty()) return done(after, "");
    return client_->delete_event(after.calendar_id, after.event_id, [after, done](gcal::CalendarResult<std::string> r) {
      if (!r.ok()) return done(std::nullopt, r.error ? r.error->explain() : "no answer");
      done(after, "");
    });
  }
  if (calendar.empty()) return done(std::nullopt, "no calendar is set for " + after.team_member + after.location);
  if (before && !before->event_id.empty() && before->calendar_id == calendar) {
    return client_->patch_event(calendar, before->event_id, gcal::event_body(*profile_, after, false),
                                [calendar, finish](gcal::CalendarResult<std::string> r) { finish(calendar, std::move(r)); });
  }
  // New, or moved to someone else's calendar: insert there (then remove the old event).
  auto old = before;
  client_->insert_event(calendar, gcal::event_body(*profile_, after, true),
                        [self_client = client_, old, calendar, finish](gcal::CalendarResult<std::string> r) {
                          if (r.ok() && old && !old->event_id.empty())
                            self_client->delete_event(old->calendar_id, old->event_id, [](auto) {});
                          finish(calendar, std::move(r));
                        });
}

}  // namespace sonoria::daemon
