#include <doctest/doctest.h>

#include "core/call/playback.hpp"

using namespace sonoria::call;

TEST_CASE("marks are named after the item and numbered per item") {
  PlaybackTracker p;
  CHECK(p.audio_sent("item_a", 800) == "item_a:1");
  CHECK(p.audio_sent("item_a", 800) == "item_a:2");
  CHECK(p.audio_sent("item_b", 400) == "item_b:1");
  CHECK(p.received_bytes("item_a") == 1600);
  CHECK(p.outstanding());
  CHECK(p.outstanding_for("item_b"));
}

TEST_CASE("an echo marks everything up to it as played, and the first echo of an item is flagged") {
  PlaybackTracker p;
  p.audio_sent("a", 800);
  p.audio_sent("a", 800);
  auto first = p.mark_echoed("a:1");
  REQUIRE(first);
  CHECK(first->first_for_item);
  CHECK(first->played_bytes == 800);
  CHECK_FALSE(first->item_drained);
  auto second = p.mark_echoed("a:2");
  REQUIRE(second);
  CHECK_FALSE(second->first_for_item);
  CHECK(second->played_bytes == 1600);
  CHECK(second->item_drained);
  CHECK_FALSE(p.outstanding());
}

TEST_CASE("an echo that skips earlier marks takes them as played too") {
  PlaybackTracker p;
  p.audio_sent("a", 800);
  p.audio_sent("b", 800);
  auto echo = p.mark_echoed("b:1");
  REQUIRE(echo);
  CHECK(p.played_bytes("a") == 800);
  CHECK_FALSE(p.outstanding_for("a"));
}

TEST_CASE("unknown marks are ignored") {
  PlaybackTracker p;
  CHECK_FALSE(p.mark_echoed("nope:1"));
  p.audio_sent("a", 8);
  CHECK_FALSE(p.mark_echoed("a:2"));
  CHECK(p.outstanding());
}

TEST_CASE("a barge-in cuts the playing item at its last echoed mark and flushes the rest") {
  PlaybackTracker p;
  p.audio_sent("a", 1600);  // 200 ms
  p.audio_sent("a", 1600);
  p.audio_sent("a", 1600);
  p.audio_sent("b", 800);
  REQUIRE(p.mark_echoed("a:1"));
  auto cut = p.interrupt();
  REQUIRE(cut);
  CHECK(cut->item_id == "a");
  CHECK(cut->audio_end_ms == 200);
  CHECK(cut->received_ms == 600);
  CHECK(cut->flushed_items == std::vector<std::string>{"b"});
  CHECK(p.is_cut("a"));
  CHECK(p.is_cut("b"));
  CHECK_FALSE(p.outstanding());
  SUBCASE("echoes that arrive after the clear mean flushed, not played") {
    CHECK_FALSE(p.mark_echoed("a:2"));
    CHECK(p.played_bytes("a") == 1600);
  }
  SUBCASE("a second speech start with nothing outstanding does nothing") { CHECK_FALSE(p.interrupt()); }
}

TEST_CASE("a barge-in before any echo of the playing item truncates it at zero") {
  PlaybackTracker p;
  p.audio_sent("a", 800);
  REQUIRE(p.mark_echoed("a:1"));
  p.audio_sent("b", 800);  // a played out; b queued and not yet heard
  auto cut = p.interrupt();
  REQUIRE(cut);
  CHECK(cut->item_id == "b");
  CHECK(cut->audio_end_ms == 0);
  CHECK_FALSE(p.is_cut("a"));
}
