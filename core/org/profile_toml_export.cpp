// export_profile_toml, declared in profile_toml.hpp. Written by hand rather than through
// toml++'s formatter, which sorts keys alphabetically: the file should read in the order an
// owner thinks about the business, and match examples/.

#include <algorithm>
#include <string>
#include <vector>

#include "core/org/money.hpp"
#include "core/org/profile_toml.hpp"
#include "core/org/time_text.hpp"
#include "core/org/toml_text.hpp"

namespace sonoria::org {
namespace {

class TomlWriter {
 public:
  void section(std::string_view header) {
    if (!out_.empty()) out_ += '\n';
    out_ += header;
    out_ += '\n';
  }

  void raw(std::string_view key, std::string_view value) {
    out_ += key;
    out_ += " = ";
    out_ += value;
    out_ += '\n';
  }

  void text(std::string_view key, std::string_view value) { raw(key, toml_string(value)); }

  // Optional text defaults to empty, so leaving it out reads back the same.
  void optional_text(std::string_view key, std::string_view value) {
    if (!value.empty()) text(key, value);
  }

  void integer(std::string_view key, int64_t value) { raw(key, std::to_string(value)); }

  void real(std::string_view key, double value) { raw(key, toml_float(value)); }

  // 2500 → 25, 1850 → 18.50: both read back as the same number of cents.
  void price(std::string_view key, int64_t cents) {
    raw(key, cents % 100 == 0 ? std::to_string(cents / 100) : format_amount(cents));
  }

  // A closure date as a TOML date; text that is not a date stays a string so it reads back as is.
  void date(std::string_view key, const std::string& value) {
    raw(key, parse_date(value) ? value : toml_quote(value));
  }

  // Short lists on one line, longer ones one element per line.
  void texts(std::string_view key, const std::vector<std::string>& values) {
    std::string list = "[";
    if (values.size() <= 1) {
      for (const std::string& value : values) list += toml_quote(value);
    } else {
      list += '\n';
      for (const std::string& value : values) list += "  " + toml_quote(value) + ",\n";
    }
    raw(key, list + "]");
  }

  void inline_texts(std::string_view key, const std::vector<std::string>& values) {
    std::string list = "[";
    for (std::size_t i = 0; i < values.size(); ++i) list += (i ? ", " : "") + toml_quote(values[i]);
    raw(key, list + "]");
  }

  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

// Every day is written, closed ones as [], so the week reads at a glance.
void write_week(TomlWriter& w, const WeeklyHours& hours) {
  for (int day = 0; day < 7; ++day) {
    std::vector<std::string> ranges;
    for (const TimeRange& range : hours.days[day]) ranges.push_back(format_time_range(range));
    w.inline_texts(weekday_key(day), ranges);
  }
}

void write_organization(TomlWriter& w, const Organization& org) {
  w.section("[organization]");
  w.text("slug", org.slug);
  w.text("name", org.name);
  w.optional_text("industry", org.industry);
  w.text("timezone", org.timezone);
  w.optional_text("country", org.country);
  w.inline_texts("phone_numbers", org.phone_numbers);
  w.optional_text("booking_url", org.booking_url);
  w.optional_text("portal_url", org.portal_url);
  w.optional_text("website", org.website);

  if (org.owner != OwnerContact{}) {
    w.section("[organization.owner]");
    w.optional_text("name", org.owner.name);
    w.optional_text("phone", org.owner.phone);
    w.optional_text("email", org.owner.email);
  }
  for (const Location& location : org.locations) {
    w.section("[[organization.locations]]");
    w.text("name", location.name);
    w.optional_text("address", location.address);
    w.optional_text("phone", location.phone);
    w.optional_text("notes", location.notes);
    w.optional_text("calendar_id", location.calendar_id);
    if (location.hours) {
      w.section("[organization.locations.hours]");
      write_week(w, *location.hours);
    }
  }
}

void write_assistant(TomlWriter& w, const Assistant& assistant) {
  // Fields with non-empty defaults are always written, or an empty value would read back as the default.
  w.section("[assistant]");
  w.text("name", assistant.name);
  if (assistant.engines.size() == 1) w.text("engine", assistant.engines.front());
  if (assistant.engines.size() > 1) w.inline_texts("engines", assistant.engines);
  w.optional_text("voice", assistant.voice);
  w.optional_text("greeting", assistant.greeting);
  w.optional_text("model", assistant.model);
  w.real("temperature", assistant.temperature);
  w.text("language", assistant.language);
  w.optional_text("personality", assistant.personality);
  w.optional_text("voicemail_message", assistant.voicemail_message);
  w.optional_text("transfer_digit", assistant.transfer_digit);
  if (assistant.record_calls) w.raw("record_calls", "true");
  w.optional_text("recording_notice", assistant.recording_notice);

  w.section("[assistant.vad]");
  w.real("threshold", assistant.vad.threshold);
  w.integer("prefix_padding_ms", assistant.vad.prefix_padding_ms);
  w.integer("silence_duration_ms", assistant.vad.silence_duration_ms);

  const std::pair<std::string_view, const EngineOptions*> own[] = {
      {"openai", &assistant.openai}, {"deepgram", &assistant.deepgram}, {"ultravox", &assistant.ultravox}};
  for (const auto& [engine, options] : own) {
    if (options->empty()) continue;
    w.section("[assistant." + std::string(engine) + "]");
    w.optional_text("voice", options->voice);
    w.optional_text("model", options->model);
    w.optional_text("listen_model", options->listen_model);
  }
}

void write_offer(TomlWriter& w, const Profile& profile) {
  for (const Service& service : profile.services) {
    w.section("[[services]]");
    w.text("name", service.name);
    w.integer("duration_minutes", service.duration_minutes);
    w.price("price", service.price_cents);
    w.text("currency", service.currency);
    w.optional_text("description", service.description);
  }
  for (const AddOn& add_on : profile.add_ons) {
    w.section("[[add_ons]]");
    w.text("name", add_on.name);
    w.price("price", add_on.price_cents);
    w.optional_text("description", add_on.description);
  }
}

void write_time(TomlWriter& w, const Profile& profile) {
  w.section("[hours]");
  write_week(w, profile.hours);
  for (const Closure& closure : profile.closures) {
    w.section("[[closures]]");
    w.date("from", closure.from);
    w.date("to", closure.to);
    w.optional_text("reason", closure.reason);
  }
}

void write_knowledge(TomlWriter& w, const Profile& profile) {
  for (const Faq& faq : profile.faqs) {
    w.section("[[faqs]]");
    w.text("question", faq.question);
    w.text("answer", faq.answer);
  }

  w.section("[booking]");
  w.text("mode", profile.booking.mode);
  w.integer("slot_minutes", profile.booking.slot_minutes);
  w.integer("buffer_minutes", profile.booking.buffer_minutes);
  w.integer("reminder_hours", profile.booking.reminder_hours);
  w.integer("min_notice_hours", profile.booking.min_notice_hours);
  w.integer("max_advance_days", profile.booking.max_advance_days);
  w.integer("cancellation_notice_hours", profile.booking.cancellation_notice_hours);
  w.texts("policies", profile.booking.policies);

  for (const TeamMember& member : profile.team) {
    w.section("[[team]]");
    w.text("name", member.name);
    w.optional_text("role", member.role);
    w.optional_text("bio", member.bio);
    if (!member.services.empty()) w.inline_texts("services", member.services);
    w.optional_text("calendar_id", member.calendar_id);
    for (const WorkShift& shift : member.schedule) {
      w.section("[[team.schedule]]");
      w.optional_text("location", shift.location);
      write_week(w, shift.hours);
    }
  }
}

void write_messaging(TomlWriter& w, const Profile& profile) {
  if (profile.sms_templates != SmsTemplates{}) {
    w.section("[sms_templates]");
    w.optional_text("booking", profile.sms_templates.booking);
    w.optional_text("update", profile.sms_templates.update);
    w.optional_text("cancel", profile.sms_templates.cancel);
    w.optional_text("notify_owner", profile.sms_templates.notify_owner);
    w.optional_text("confirmation", profile.sms_templates.confirmation);
    w.optional_text("changed", profile.sms_templates.changed);
    w.optional_text("cancelled", profile.sms_templates.cancelled);
    w.optional_text("reminder", profile.sms_templates.reminder);
  }
  for (const FallbackNumber& fallback : profile.fallback_numbers) {
    w.section("[[fallback_numbers]]");
    w.text("name", fallback.name);
    w.text("number", fallback.number);
  }
}

void write_stages(TomlWriter& w, const Profile& profile) {
  for (const Stage& stage : profile.stages) {
    w.section("[[stages]]");
    w.text("name", stage.name);
    if (stage.start) w.raw("start", "true");
    w.optional_text("description", stage.description);
    w.optional_text("instructions", stage.instructions);
    w.optional_text("voice", stage.voice);
    if (stage.tools) w.inline_texts("tools", *stage.tools);
    if (!stage.next.empty()) w.inline_texts("next", stage.next);
    if (stage.voices != StageVoices{}) {
      w.section("[stages.voices]");
      w.optional_text("openai", stage.voices.openai);
      w.optional_text("deepgram", stage.voices.deepgram);
      w.optional_text("ultravox", stage.voices.ultravox);
    }
  }
}

// A key as TOML writes it: bare when it can be, else quoted ("X-API-Key" is bare; "My Header" is not).
std::string toml_key(std::string_view key) {
  const bool bare = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
  return bare ? std::string(key) : toml_string(key);
}

void write_http_tools(TomlWriter& w, const Profile& profile) {
  for (const HttpTool& tool : profile.http_tools) {
    w.section("[[http_tools]]");
    w.text("name", tool.name);
    w.optional_text("description", tool.description);
    w.text("method", tool.method);
    w.text("url", tool.url);
    if (!tool.parameters.empty()) {
      // JSON reads best as a literal string; a basic one when the JSON itself holds ''' or ends in '.
      if (tool.parameters.find("'''") == std::string::npos && tool.parameters.back() != '\'' &&
          tool.parameters.find('\n') == std::string::npos)
        w.raw("parameters", "'''" + tool.parameters + "'''");
      else
        w.text("parameters", tool.parameters);
    }
    w.integer("timeout_ms", tool.timeout_ms);
    w.integer("retries", tool.retries);
    w.optional_text("filler", tool.filler);
    if (!tool.headers.empty()) {
      w.section("[http_tools.headers]");
      for (const auto& header : tool.headers) w.raw(toml_key(header.name), toml_string(header.value));
    }
  }
}

}  // namespace

std::string export_profile_toml(const Profile& profile) {
  TomlWriter w;
  write_organization(w, profile.organization);
  write_assistant(w, profile.assistant);
  write_offer(w, profile);
  write_time(w, profile);
  write_knowledge(w, profile);
  write_messaging(w, profile);
  write_stages(w, profile);
  write_http_tools(w, profile);
  if (profile.webhooks != Webhooks{}) {
    w.section("[webhooks]");
    w.optional_text("call_end_url", profile.webhooks.call_end_url);
    w.optional_text("call_start_url", profile.webhooks.call_start_url);
    if (profile.webhooks.call_start_timeout_ms != Webhooks{}.call_start_timeout_ms)
      w.integer("call_start_timeout_ms", profile.webhooks.call_start_timeout_ms);
  }
  return w.take();
}

}  // namespace sonoria::org
