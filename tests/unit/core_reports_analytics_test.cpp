#include <doctest/doctest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/db/call_queries.hpp"
#include "core/db/sqlite.hpp"
#include "core/db/migrations.hpp"
#include "core/db/sql_stores.hpp"
#include "core/reports/analytics.hpp"
#include "tests/support/seed_calls.hpp"
#include "tests/support/temp_dir.hpp"

using namespace sonoria;
using namespace std::chrono_literals;

namespace {

db::CallRow row(std::string status, std::string started, std::optional<int64_t> duration, bool answered,
                int64_t interruptions, std::string latencies) {
  db::CallRow r;
  r.call_sid = "CA" + started;
  r.direction = "inbound";
  r.status = std::move(status);
  r.started_at = std::move(started);
  r.duration_ms = duration;
  if (answered) r.answered_at = r.started_at;
  r.interruptions = interruptions;
  r.turn_latencies_ms = std::move(latencies);
  r.end_reason = "caller_hung_up";
  return r;
}

}  // namespace

TEST_CASE("five calls give exact totals, median, percentiles, local busiest hours and cost") {
  auto now = *db::parse_timestamp("2026-11-23T15:00:00.000Z");
  reports::Prices prices{4'000'000, 16'000'000, 32'000'000, 64'000'000, 400'000};
  reports::AnalyticsBuilder b(now, prices);
  // New York is UTC−5 in November: 14:00Z is 09:00 local.
  b.add(row("completed", "2026-11-23T14:00:00.000Z", 1000, true, 2, "[100, 200, 300]"), "America/New_York");
  b.add(row("completed", "2026-11-23T14:30:00.000Z", 4000, true, 0, "[400]"), "America/New_York");
  b.add(row("transferred", "2026-11-22T14:59:59.000Z", 2000, true, 1, "[]"), "America/New_York");
  b.add(row("failed", "2026-11-22T15:00:01.000Z", std::nullopt, false, 5, "[500, 600]"), "");
  auto five = row("completed", "2026-11-01T03:00:00.000Z", 3000, true, 1, "not json");
  five.usage = db::Usage{1'000'000, 500'000, 800'000, 400'000, 100'000};
  b.add(five, "Nowhere/Unknown");
  b.add_tool_calls({{"book_class", 3}, {"send_sms", 1}});
  auto a = b.finish();

  CHECK(a.total == 5);
  CHECK(a.completed == 4);
  CHECK(a.completion_rate == doctest::Approx(0.8));
  CHECK(a.transfers == 1);
  CHECK(a.by_status == std::map<std::string, int64_t>{{"completed", 3}, {"failed", 1}, {"transferred", 1}});
  CHECK(a.average_duration_ms == 2500);  // (1000 + 4000 + 2000 + 3000) / 4
  CHECK(a.median_duration_ms == 2500);   // mean of 2000 and 3000
  CHECK(a.last_24h == 3);                // 14:59:59 the day before is just outside
  CHECK(a.by_hour[9] == 3);              // 14:00Z, 14:30Z and 14:59:59Z in New York
  CHECK(a.by_hour[15] == 1);             // no zone: UTC
  CHECK(a.by_hour[3] == 1);              // unknown zone: UTC
  CHECK(a.busiest_hours == std::vector<int>{9, 3, 15});
  CHECK(a.answered == 4);
  CHECK(a.interruptions == 4);           // the unanswered call's 5 do not count
  CHECK(a.interruptions_per_call == doctest::Approx(1.0));
  CHECK(a.latency_samples == 6);         // 100 200 300 400 500 600
  CHECK(a.turn_latency_p50_ms == 300);
  CHECK(a.turn_latency_p95_ms == 600);
  CHECK(a.tool_calls.at("book_class") == 3);
  // Billed: audio in 700k (800k less the 100k cached), text in 200k, cached 100k, text out 100k,
  // audio out 400k: 0.2×4 + 0.7×32 + 0.1×0.4 + 0.1×16 + 0.4×64 = 50.44 USD.
  CHECK(a.billed.audio_input == 700'000);
  CHECK(a.billed.text_input == 200'000);
  CHECK(a.billed.cached_input == 100'000);
  CHECK(a.cost_micro_usd == 50'440'000);
  auto j = reports::to_json(a);
  CHECK(j["estimated_cost"]["usd"] == "50.4400");
  CHECK(j["calls"]["completion_rate"] == 0.8);
  CHECK(j["turn_latency_ms"]["p95"] == 600);
  CHECK(reports::render_table(a).find("busiest hours (local)       09:00 (3), 03:00 (1), 15:00 (1)") !=
        std::string::npos);
}

TEST_CASE("no calls give zeros and nulls, not a division by zero") {
  reports::AnalyticsBuilder b(db::now_ms(), {});
  auto j = reports::to_json(b.finish());
  CHECK(j["calls"]["total"] == 0);
  CHECK(j["calls"]["completion_rate"] == 0.0);
  CHECK(j["duration_ms"]["median"].is_null());
  CHECK(j["turn_latency_ms"]["p50"].is_null());
  CHECK(j["busiest_hours"].empty());
}

TEST_CASE("nearest-rank percentiles follow the definition at the edges") {
  CHECK(reports::percentile({}, 50) == std::nullopt);
  CHECK(reports::percentile({7}, 95) == 7);
  std::vector<int64_t> v(20);
  for (int i = 0; i < 20; ++i) v[static_cast<size_t>(i)] = i + 1;
  CHECK(reports::percentile(v, 50) == 10);
  CHECK(reports::percentile(v, 95) == 19);
  CHECK(reports::percentile(v, 100) == 20);
}

TEST_CASE("analytics over three hundred seeded calls match a count made from the seed") {
  test::TempDir dir;
  db::SqliteConnection c((dir / "a.db").string());
  db::migrate(c);
  db::SqlCallStore store(c);
  auto seeded = test::seed_calls(store);
  db::SqlCallQueries q(c);
  auto now = seeded.back().started_at + 1h;
  reports::AnalyticsBuilder b(now, reports::Prices{1'000'000, 1'000'000, 1'000'000, 1'000'000, 1'000'000});
  q.for_each_call({}, [&](const db::CallRow& r) { b.add(r, ""); });
  b.add_tool_calls(q.tool_calls_by_name({}));
  auto a = b.finish();

  int64_t completed = 0, transfers = 0, answered = 0, interruptions = 0, last_day = 0, book = 0, sms = 0;
  std::vector<int64_t> durations, latencies;
  std::array<int64_t, 24> hours{};
  for (const auto& s : seeded) {
    completed += s.status == "completed" || s.status == "transferred";
    transfers += s.status == "transferred";
    if (s.answered) {
      answered++;
      interruptions += s.ended ? s.interruptions : 0;  // an open call has not stored its counters
    }
    if (s.ended) {
      durations.push_back(s.duration_ms);
      latencies.insert(latencies.end(), s.latencies.begin(), s.latencies.end());
    }
    last_day += s.started_at > now - 24h;
    auto secs = std::chrono::floor<std::chrono::seconds>(s.started_at);
    hours[static_cast<size_t>((secs - std::chrono::floor<std::chrono::days>(secs)) / 1h)]++;
    for (const auto& t : s.tools) (t == "book_class" ? book : sms)++;
  }
  std::sort(durations.begin(), durations.end());
  std::sort(latencies.begin(), latencies.end());
  CHECK(a.total == 300);
  CHECK(a.completed == completed);
  CHECK(a.completed == 240);
  CHECK(a.transfers == 30);
  CHECK(a.by_status.at("in-progress") == 30);
  CHECK(a.by_direction.at("outbound") == 75);
  CHECK(a.answered == answered);
  CHECK(a.interruptions == interruptions);
  CHECK(a.last_24h == last_day);
  CHECK(a.last_24h == 38);  // starts at now − 60 min − k × 37 min for k = 0…37
  CHECK(a.by_hour == hours);
  CHECK(a.median_duration_ms == (durations[134] + durations[135] + 1) / 2);
  CHECK(a.tool_calls.at("book_class") == book);
  CHECK(a.tool_calls.at("send_sms") == sms);
  CHECK(a.turn_latency_p50_ms == latencies[(latencies.size() * 50 + 99) / 100 - 1]);
  CHECK(a.turn_latency_p95_ms == 300);
  CHECK(a.usage.input_tokens == 270 * 1000);
  // One dollar per million for every kind: 270 calls × 1500 tokens = 0.405 USD.
  CHECK(a.cost_micro_usd == 405'000);
}

TEST_CASE("calls, minutes, failures, latency and cost are broken down by engine") {
  auto now = *db::parse_timestamp("2026-11-23T12:00:00.000Z");
  reports::Prices prices;
  prices.audio_input = 1'000'000;         // $1 per million audio input tokens
  prices.deepgram_per_minute = 80'000;    // $0.08 a minute
  prices.ultravox_per_minute = 50'000;
  reports::AnalyticsBuilder b(now, prices);
  db::CallRow openai_only;
  openai_only.status = "completed";
  openai_only.started_at = "2026-11-23T11:00:00.000Z";
  openai_only.engines = {{"openai", 60'000}};
  openai_only.usage.input_tokens = 3'000'000;
  openai_only.usage.input_audio_tokens = 3'000'000;
  openai_only.turn_latencies_ms = "[500,700]";
  b.add(openai_only, "");
  db::CallRow failed_over = openai_only;  // OpenAI dropped after 30 s; Deepgram served 90 s more
  failed_over.engines = {{"openai", 30'000}, {"deepgram", 90'000}};
  failed_over.usage = {};
  failed_over.turn_latencies_ms = "[900]";
  b.add(failed_over, "");
  db::CallRow ultravox_failed;
  ultravox_failed.status = "failed";
  ultravox_failed.started_at = "2026-11-23T11:30:00.000Z";
  ultravox_failed.engines = {{"ultravox", 30'000}};
  b.add(ultravox_failed, "");
  db::CallRow refused;  // never answered: no engine
  refused.status = "rejected";
  refused.started_at = "2026-11-23T11:40:00.000Z";
  b.add(refused, "");
  const auto a = b.finish();

  REQUIRE(a.by_engine.size() == 3);
  const auto& openai = a.by_engine.at("openai");
  CHECK(openai.calls == 2);
  CHECK(openai.ms == 90'000);
  CHECK(openai.failovers_from == 1);
  CHECK(openai.failed == 0);
  CHECK(openai.turn_latency_p50_ms == 500);  // the failed-over call counts for Deepgram, which served it longer
  CHECK(openai.cost_micro_usd == 3'000'000);
  const auto& deepgram = a.by_engine.at("deepgram");
  CHECK(deepgram.calls == 1);
  CHECK(deepgram.failovers_from == 0);
  CHECK(deepgram.turn_latency_p50_ms == 900);
  CHECK(deepgram.cost_micro_usd == 120'000);  // 1.5 min × $0.08
  const auto& ultravox = a.by_engine.at("ultravox");
  CHECK(ultravox.failed == 1);
  CHECK(ultravox.cost_micro_usd == 25'000);   // 0.5 min × $0.05
  CHECK(a.cost_micro_usd == 3'000'000 + 120'000 + 25'000);
  const auto j = reports::to_json(a);
  CHECK(j["by_engine"]["deepgram"]["minutes"] == 1.5);
  CHECK(j["by_engine"]["ultravox"]["estimated_cost"]["usd"] == "0.0250");
  CHECK(reports::render_table(a).find("deepgram") != std::string::npos);
}

TEST_CASE("per-minute prices are read from [pricing] and a bad one names its key") {
  config::PricingSettings s;
  s.deepgram_per_minute = "0.0775";
  CHECK(reports::prices_from(s).deepgram_per_minute == 77'500);
  CHECK(reports::minutes_cost_micro_usd("deepgram", 120'000, reports::prices_from(s)) == 155'000);
  CHECK(reports::minutes_cost_micro_usd("openai", 120'000, reports::prices_from(s)) == 0);
  s.ultravox_per_minute = "five cents";
  CHECK_THROWS_WITH(reports::prices_from(s),
                    "pricing.ultravox_per_minute: \"five cents\" is not a price (expected US dollars per minute, like "
                    "\"0.08\")");
}

TEST_CASE("stages reached form a funnel in flow order, as a share of the calls with a call flow") {
  reports::AnalyticsBuilder b(*db::parse_timestamp("2026-11-23T15:00:00.000Z"), {});
  auto with = [](std::vector<std::string> stages) {
    auto r = row("completed", "2026-11-23T14:00:00.000Z", 1000, true, 0, "[]");
    r.stages = std::move(stages);
    return r;
  };
  b.add(with({"identify"}), "");
  b.add(with({"identify", "wrap_up"}), "");  // wrap_up seen before assist: assist goes in between later
  b.add(with({"identify", "assist", "wrap_up"}), "");
  b.add(with({"identify", "assist"}), "");
  b.add(with({}), "");  // a profile without stages: not in the funnel
  const auto a = b.finish();
  CHECK(a.flow_calls == 4);
  CHECK(a.stages == std::vector<reports::StageReach>{{"identify", 4}, {"assist", 2}, {"wrap_up", 2}});
  const auto j = reports::to_json(a);
  CHECK(j["stages"][0] == nlohmann::json{{"stage", "identify"}, {"calls", 4}, {"share", 1.0}});
  CHECK(j["stages"][1]["share"] == 0.5);
  const auto table = reports::render_table(a);
  CHECK(table.find("Stages reached (of 4 calls with a call flow)") != std::string::npos);
  CHECK(table.find("assist                      2 (50.0%)") != std::string::npos);
}

TEST_CASE("failovers count calls served by more than one engine; messages taken count texts to the owner") {
  auto now = *db::parse_timestamp("2026-11-23T12:00:00.000Z");
  reports::AnalyticsBuilder b(now, reports::Prices{});
  auto one = row("completed", "2026-11-23T10:00:00.000Z", 60'000, true, 0, "[]");
  one.engines = {{"openai", 60'000}};
  auto two = row("completed", "2026-11-23T10:05:00.000Z", 120'000, true, 0, "[]");
  two.engines = {{"openai", 30'000}, {"deepgram", 90'000}};
  auto three = row("failed", "2026-11-23T10:10:00.000Z", 90'000, true, 0, "[]");
  three.engines = {{"ultravox", 10'000}, {"openai", 40'000}, {"local", 40'000}};
  b.add(one, "");
  b.add(two, "");
  b.add(three, "");
  b.add_texts({{"notify_owner", 2}, {"booking_link", 3}});
  const auto a = b.finish();
  CHECK(a.failovers == 2);
  CHECK(a.messages_taken == 2);
  CHECK(a.texts.at("booking_link") == 3);
  const auto j = reports::to_json(a);
  CHECK(j["calls"]["failovers"] == 2);
  CHECK(j["calls"]["messages_taken"] == 2);
  CHECK(j["texts"]["booking_link"] == 3);
  const auto table = reports::render_table(a);
  CHECK(table.find("messages taken              2") != std::string::npos);
  CHECK(table.find("engine failovers            2") != std::string::npos);
}

TEST_CASE("texts are counted from the calls that match, by purpose, leaving out failed ones") {
  test::TempDir dir;
  db::SqliteConnection c((dir / "a.db").string());
  db::migrate(c);
  db::SqlCallStore store(c);
  test::seed_calls(store);
  db::SqlCallQueries q(c);
  db::CallQuery inbound;
  inbound.direction = "inbound";
  const auto seeded = q.texts_by_purpose({});  // the seed's own texts
  const auto seeded_inbound = q.texts_by_purpose(inbound);
  const auto count_of = [](const std::map<std::string, int64_t>& m, const std::string& k) {
    return m.count(k) ? m.at(k) : 0;
  };
  c.exec("INSERT INTO messages (call_id, purpose, from_number, to_number, body, status, created_at, updated_at) "
         "SELECT id, 'notify_owner', '+15550001000', '+15559990000', 'x', 'delivered', started_at, started_at "
         "FROM calls WHERE direction = 'inbound' LIMIT 7");
  c.exec("INSERT INTO messages (call_id, purpose, from_number, to_number, body, status, created_at, updated_at) "
         "SELECT id, 'notify_owner', '+15550001000', '+15559990000', 'x', 'failed', started_at, started_at "
         "FROM calls WHERE direction = 'inbound' LIMIT 2");
  c.exec("INSERT INTO messages (call_id, purpose, from_number, to_number, body, status, created_at, updated_at) "
         "SELECT id, 'booking_link', '+15550001000', '+15551112222', 'x', 'sent', started_at, started_at "
         "FROM calls WHERE direction = 'outbound' LIMIT 4");
  const auto all = q.texts_by_purpose({});
  CHECK(count_of(all, "booking_link") == count_of(seeded, "booking_link") + 4);
  CHECK(count_of(all, "notify_owner") == count_of(seeded, "notify_owner") + 7);
  const auto in = q.texts_by_purpose(inbound);
  CHECK(count_of(in, "booking_link") == count_of(seeded_inbound, "booking_link"));
  CHECK(count_of(in, "notify_owner") == count_of(seeded_inbound, "notify_owner") + 7);
}
