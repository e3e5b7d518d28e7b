#include "core/booking/icalendar.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <chrono>

#include "core/db/timestamp.hpp"
#include "core/text_bytes.hpp"

namespace sonoria::booking {
namespace {

// A stored time, "2026-12-06T17:00:00.000Z", as an iCalendar UTC DATE-TIME: 20261206T170000Z.
std::string stamp_of_iso(const std::string& iso) {
  if (iso.size() < 19) return {};
  return iso.substr(0, 4) + iso.substr(5, 2) + iso.substr(8, 2) + "T" + iso.substr(11, 2) + iso.substr(14, 2) +
         iso.substr(17, 2) + "Z";
}

std::string utc_stamp(int64_t unix_s) { return stamp_of_iso(db::format_timestamp(db::TimePoint{std::chrono::seconds{unix_s}})); }

std::string stamp_of_iso(const std::string& iso, int64_t fallback) {
  const std::string stamp = stamp_of_iso(iso);
  return stamp.empty() ? utc_stamp(fallback) : stamp;
}

// TEXT values: backslash, semicolon, comma and newlines escaped (RFC 5545 §3.3.11).
std::string escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case ';': out += "\\;"; break;
      case ',': out += "\\,"; break;
      case '\n': out += "\\n"; break;
      case '\r': break;
      default: out += c;
    }
  }
  return out;
}

// A quoted parameter value may hold anything but control characters and DQUOTE (RFC 5545 §3.2).
std::string escape_param(std::string_view text) {
  std::string out;
  for (char c : text)
    if (c != '"' && static_cast<unsigned char>(c) >= 0x20) out += c;
  return out;
}

// Content lines longer than 75 octets are folded (CRLF, space), never inside a UTF-8 character.
void line(std::string& out, std::string_view text) {
  std::size_t limit = 75;
  while (text.size() > limit) {
    const std::size_t cut = utf8_cut(text, limit);
    out.append(text.substr(0, cut));
    out += "\r\n ";
    text.remove_prefix(cut);
    limit = 74;  // the leading space counts
  }
  out.append(text);
  out += "\r\n";
}

std::string hmac_hex(const std::string& key, const std::string& message) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(message.data()),
       message.size(), digest, &size);
  return lower_hex(digest, size);
}

}  // namespace

std::string member_slug(std::string_view name) {
  std::string out;
  for (char c : name) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (c >= 'A' && c <= 'Z') out += static_cast<char>(c - 'A' + 'a');
    else if (alnum) out += c;
    else if (!out.empty() && out.back() != '-') out += '-';
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

std::string feed_token(const std::string& secret, const std::string& org_slug, const std::string& member) {
  return hmac_hex(secret, "calendar:" + org_slug + ":" + member).substr(0, 32);
}

std::string feed_path(const std::string& secret, const std::string& org_slug, const std::string& member) {
  return "/calendar/" + feed_token(secret, org_slug, member) + "/" + org_slug + (member.empty() ? "" : "/" + member) +
         ".ics";
}

std::optional<FeedRequest> parse_feed_path(std::string_view path) {
  constexpr std::string_view prefix = "/calendar/";
  constexpr std::string_view suffix = ".ics";
  if (path.substr(0, prefix.size()) != prefix || path.size() <= prefix.size() + suffix.size() ||
      path.substr(path.size() - suffix.size()) != suffix)
    return std::nullopt;
  std::string_view rest = path.substr(prefix.size(), path.size() - prefix.size() - suffix.size());
  std::vector<std::string> parts;
  while (!rest.empty()) {
    const auto slash = rest.find('/');
    parts.emplace_back(rest.substr(0, slash));
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  }
  if (parts.size() < 2 || parts.size() > 3) return std::nullopt;
  for (const auto& part : parts)
    if (part.empty()) return std::nullopt;
  return FeedRequest{parts[0], parts[1], parts.size() == 3 ? parts[2] : std::string()};
}

std::string icalendar_feed(const org::Profile& profile, const std::vector<db::Appointment>& appointments,
                           const std::string& team_member, int64_t now_unix) {
  std::string out;
  line(out, "BEGIN:VCALENDAR");
  line(out, "VERSION:2.0");
  line(out, "PRODID:-//sonoria//appointment book//EN");
  line(out, "CALSCALE:GREGORIAN");
  // A published feed (RFC 5546 PUBLISH) names its organizer on every event: the owner's address.
  // Without one it is a plain RFC 5545 calendar, which subscribers read just the same.
  const std::string& email = profile.organization.owner.email;
  if (!email.empty()) line(out, "METHOD:PUBLISH");
  const std::string title = profile.organization.name + (team_member.empty() ? "" : " – " + team_member);
  line(out, "X-WR-CALNAME:" + escape(title));
  line(out, "X-WR-TIMEZONE:" + escape(profile.organization.timezone));
  line(out, "REFRESH-INTERVAL;VALUE=DURATION:PT15M");
  line(out, "X-PUBLISHED-TTL:PT15M");
  for (const auto& a : appointments) {
    line(out, "BEGIN:VEVENT");
    line(out, "UID:" + a.reference + "@" + profile.organization.slug + ".sonoria");
    line(out, "DTSTAMP:" + stamp_of_iso(a.updated_at, now_unix));
    line(out, "CREATED:" + stamp_of_iso(a.created_at, now_unix));
    line(out, "LAST-MODIFIED:" + stamp_of_iso(a.updated_at, now_unix));
    if (!email.empty()) line(out, "ORGANIZER;CN=\"" + escape_param(profile.organization.name) + "\":mailto:" + email);
    line(out, "DTSTART:" + utc_stamp(a.starts_at));
    line(out, "DTEND:" + utc_stamp(a.ends_at));
    line(out, "SUMMARY:" + escape(a.service + " – " + a.customer_name));
    std::string description = "Customer: " + a.customer_name + " " + a.customer_phone + "\nReference: " + a.reference;
    if (!a.team_member.empty()) description += "\nWith: " + a.team_member;
    line(out, "DESCRIPTION:" + escape(description));
    if (!a.location.empty()) {
      std::string where = a.location;
      for (const auto& l : profile.organization.locations)
        if (l.name == a.location && !l.address.empty()) where += ", " + l.address;
      line(out, "LOCATION:" + escape(where));
    }
    line(out, std::string("STATUS:") + (a.status == "cancelled" ? "CANCELLED" : "CONFIRMED"));
    line(out, "TRANSP:OPAQUE");
    line(out, "END:VEVENT");
  }
  line(out, "END:VCALENDAR");
  return out;
}

}  // namespace sonoria::booking
