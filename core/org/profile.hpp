#pragma once
// The business profile: what an owner would fill in on a dashboard. Plain data; validation,
// TOML import/export and time logic live beside it (profile_toml, profile_validate, schedule).
// Every struct compares with == (member-wise) so round trips can be checked exactly.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sonoria::org {

// "HH:MM" local wall-clock times in the organization's time zone, as minutes since midnight.
struct TimeRange {
  int open_minute = 0;
  int close_minute = 0;            // > open_minute

  bool operator==(const TimeRange&) const = default;
};

// Index 0 = Monday … 6 = Sunday. A day with no ranges is closed.
struct WeeklyHours {
  std::vector<TimeRange> days[7];

  bool operator==(const WeeklyHours&) const = default;
};

struct Location {
  std::string name;
  std::string address;
  std::string phone;  // E.164, optional
  std::string notes;
  // When this location is open, if not the business's [hours] (appointments are booked inside them).
  std::optional<WeeklyHours> hours;
  std::string calendar_id;  // booking.mode = "google": the location's calendar (when no team member is booked)

  bool operator==(const Location&) const = default;
};

struct OwnerContact {
  std::string name;
  std::string phone;  // E.164; notify_owner texts this number
  std::string email;

  bool operator==(const OwnerContact&) const = default;
};

struct Organization {
  std::string slug;         // stable key for import/update: [a-z0-9-]+
  std::string name;
  std::string industry;
  std::string timezone;     // IANA, e.g. "America/New_York"
  // ISO 3166-1 alpha-2 ("US"): the country of a phone number written without its country code,
  // here and in calls to it. Optional: the country of the first phone number by default.
  std::string country;
  std::vector<std::string> phone_numbers;  // E.164 numbers this organization answers
  std::vector<Location> locations;
  std::string booking_url;
  std::string portal_url;   // customer portal (reschedule / cancel)
  std::string website;
  OwnerContact owner;

  bool operator==(const Organization&) const = default;
};

struct VadSettings {
  double threshold = 0.5;          // 0.0 – 1.0
  int prefix_padding_ms = 300;
  int silence_duration_ms = 500;

  bool operator==(const VadSettings&) const = default;
};

// What the assistant uses on one engine ([assistant.openai], [assistant.deepgram],
// [assistant.ultravox]); "" = the assistant's own voice/model for its first engine, else the
// engine's default from the daemon's config.
struct EngineOptions {
  std::string voice;
  std::string model;               // OpenAI: the realtime model; Deepgram: the thinking model; Ultravox: its model
  std::string listen_model;        // Deepgram only: speech recognition ("nova-3")

  bool empty() const { return voice.empty() && model.empty() && listen_model.empty(); }
  bool operator==(const EngineOptions&) const = default;
};

// Said before the greeting when an assistant records its calls and names no notice of its own.
inline constexpr const char* k_default_recording_notice = "This call is recorded.";

struct Assistant {
  std::string name = "Ava";
  // The engines that may serve a call, in order: the first answers, the next take over when it
  // fails (refused, unreachable, dropped). Empty = ["openai"].
  std::vector<std::string> engines;
  std::string voice;               // on the first engine (unless its own options name one); "" = its default
  std::string greeting;            // what the assistant says first; empty = a generated greeting
  std::string model;               // on the first engine; empty = engine default from config
  double temperature = 0.8;        // beta protocol only; GA removed it
  std::string language = "en";     // ISO-639-1
  std::string personality;         // free text: tone and style
  std::string voicemail_message;   // left on answering machines (outbound calls)
  // Calls are recorded (both sides, as the caller heard them) and the caller is told so first:
  // `recording_notice`, or k_default_recording_notice when empty.
  bool record_calls = false;
  std::string recording_notice;
  // Keypad digit that transfers the caller straight to the first fallback number: "0"-"9", "*",
  // "#"; "off" disables it; "" uses the daemon's calls.transfer_digit.
  std::string transfer_digit;
  VadSettings vad;
  EngineOptions openai;
  EngineOptions deepgram;
  EngineOptions ultravox;

  // The engines in order, with the default filled in.
  std::vector<std::string> engine_order() const { return engines.empty() ? std::vector<std::string>{"openai"} : engines; }
  bool operator==(const Assistant&) const = default;
};

struct Service {
  std::string name;
  int duration_minutes = 0;
  int64_t price_cents = 0;         // non-negative; 0 = free
  std::string currency = "USD";
  std::string description;

  bool operator==(const Service&) const = default;
};

struct AddOn {
  std::string name;
  int64_t price_cents = 0;
  std::string description;

  bool operator==(const AddOn&) const = default;
};

// Whole local dates, inclusive: "2026-12-24" to "2026-12-26".
struct Closure {
  std::string from;                // YYYY-MM-DD
  std::string to;                  // YYYY-MM-DD, >= from
  std::string reason;

  bool operator==(const Closure&) const = default;
};

struct Faq {
  std::string question;
  std::string answer;

  bool operator==(const Faq&) const = default;
};

// Who keeps the appointment book (core/booking).
inline constexpr std::string_view k_booking_link = "link";          // the assistant texts booking_url
inline constexpr std::string_view k_booking_built_in = "built_in";  // sonoria's own book
inline constexpr std::string_view k_booking_google = "google";      // Google Calendars are the book

struct BookingRules {
  std::string mode = "link";       // link | built_in | google
  int slot_minutes = 30;           // appointments start on this grid from the opening time
  int buffer_minutes = 0;          // kept free after each appointment
  int reminder_hours = 0;          // a reminder text this long before; 0 = none
  int min_notice_hours = 0;
  int max_advance_days = 0;        // 0 = no limit
  int cancellation_notice_hours = 0;
  std::vector<std::string> policies;  // free-text rules read to callers

  bool operator==(const BookingRules&) const = default;
};

// Where and when a team member works: at `location` ("" = the only one, or the business when it
// has none) during `hours`, within the location's own opening hours.
struct WorkShift {
  std::string location;
  WeeklyHours hours;

  bool operator==(const WorkShift&) const = default;
};

struct TeamMember {
  std::string name;
  std::string role;
  std::string bio;
  // The services they perform, by name; empty = every service. With an appointment book, a
  // business without a team books each location as one calendar.
  std::vector<std::string> services;
  // Empty: every location, whenever it is open.
  std::vector<WorkShift> schedule;
  std::string calendar_id;         // booking.mode = "google": their calendar

  bool operator==(const TeamMember&) const = default;
};

// SMS bodies with {{placeholders}}; see templates.hpp for the known names.
struct SmsTemplates {
  std::string booking;             // the booking link (booking.mode = "link")
  std::string update;              // the reschedule link
  std::string cancel;              // the cancellation link
  std::string notify_owner;
  // With an appointment book (built_in, google): what the caller is texted about their appointment.
  std::string confirmation;
  std::string changed;
  std::string cancelled;
  std::string reminder;

  bool operator==(const SmsTemplates&) const = default;
};

struct FallbackNumber {
  std::string name;                // "front desk"; the first one is the default transfer target
  std::string number;              // E.164

  bool operator==(const FallbackNumber&) const = default;
};

// A stage's voice on each engine (voice names differ between engines); "" = the stage's `voice`
// on the first engine, else the assistant's.
struct StageVoices {
  std::string openai;
  std::string deepgram;
  std::string ultravox;

  bool operator==(const StageVoices&) const = default;
};

// One stage of a call flow ([[stages]]): what the assistant does in it, with which voice and tools,
// and where it may go next. The engine moves the call on by calling the tool move_to_<name> of a
// next stage, with what that stage must know. A profile without stages is one implicit stage.
struct Stage {
  std::string name;                // [a-z][a-z0-9_]*, unique: its transition tool is move_to_<name>
  std::string description;         // when to move here: the transition tool's description
  std::string instructions;        // added to the generated prompt while the call is in this stage
  bool start = false;              // the call starts here (default: the first stage)
  std::string voice;               // on the first engine; "" = the assistant's
  StageVoices voices;              // per engine, over `voice`
  // The tools offered in this stage, by name (built-in ones, see org::k_builtin_tools); unset = all
  // the call has, [] = none. The transition tools come on top.
  std::optional<std::vector<std::string>> tools;
  std::vector<std::string> next;   // the stages it may move to

  bool operator==(const Stage&) const = default;
};

// A header of an HTTP tool. `value` may name environment variables, ${NAME}, read by the daemon
// when the request is sent: secrets stay out of the profile (and the database, logs and exports).
struct HttpHeader {
  std::string name;
  std::string value;

  bool operator==(const HttpHeader&) const = default;
};

// One of the business's own tools ([[http_tools]]): the engine calls it like a built-in tool, and
// the daemon sends an HTTP request to the business's system (a CRM, n8n, Zapier, Make), signed
// with the organization's secret, and gives the engine the answer.
struct HttpTool {
  std::string name;                  // [A-Za-z0-9_-]{1,64}: the tool's name for the engine
  std::string description;           // when to use it (the engine reads it)
  std::string method = "POST";       // GET | POST | PUT | PATCH | DELETE
  std::string url;                   // http(s)://…, with {{argument}} placeholders
  std::string parameters;            // JSON Schema of the arguments, as JSON text; "" = none
  std::vector<HttpHeader> headers;
  int timeout_ms = 5000;             // per attempt
  int retries = 0;                   // more attempts after a timeout, a connection failure or a 5xx
  std::string filler;                // said if it takes more than ~1.5 s; "" = a generic filler

  bool operator==(const HttpTool&) const = default;
};

// Where sonoria tells the business's systems about its calls ([webhooks]); "" = not at all.
struct Webhooks {
  std::string call_end_url;          // POSTed the call record, transcript and tool calls after each call
  std::string call_start_url;        // asked about each inbound call while it rings (core/call/call_start.hpp)
  int call_start_timeout_ms = 1500;  // then the call goes on with the defaults

  bool operator==(const Webhooks&) const = default;
};

struct Profile {
  int64_t id = 0;                  // database id; 0 until stored
  Organization organization;
  Assistant assistant;
  std::vector<Service> services;
  std::vector<AddOn> add_ons;
  WeeklyHours hours;
  std::vector<Closure> closures;
  std::vector<Faq> faqs;
  BookingRules booking;
  std::vector<TeamMember> team;
  SmsTemplates sms_templates;
  std::vector<FallbackNumber> fallback_numbers;
  std::vector<Stage> stages;       // empty: every call is one stage, as before stages existed
  std::vector<HttpTool> http_tools;
  Webhooks webhooks;

  // The stage a call starts in (its index); 0 when there are none.
  std::size_t start_stage() const {
    for (std::size_t i = 0; i < stages.size(); ++i)
      if (stages[i].start) return i;
    return 0;
  }
  bool operator==(const Profile&) const = default;
};

}  // namespace sonoria::org
