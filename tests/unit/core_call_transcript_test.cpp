#include <doctest/doctest.h>

#include "core/call/transcript.hpp"

using namespace sonoria::call;

namespace {

std::vector<std::string> ids(const std::vector<TranscriptTurn>& turns) {
  std::vector<std::string> out;
  for (const auto& t : turns) out.push_back(t.item_id);
  return out;
}

}  // namespace

TEST_CASE("the heard part of a cut reply keeps whole words in proportion to the audio heard") {
  CHECK(heard_part("one two three four", 0, 1000).empty());
  CHECK(heard_part("one two three four", 1000, 1000) == "one two three four");
  CHECK(heard_part("one two three four", 2000, 1000) == "one two three four");
  CHECK(heard_part("one two three four", 389, 1000) == "one two");    // lands on the space after "two"
  CHECK(heard_part("one two three four", 500, 1000) == "one two");    // inside "three": back to "two"
  CHECK(heard_part("one two three four", 100, 1000).empty());        // the first word was not finished
  CHECK(heard_part("héllo wörld again", 750, 1000) == "héllo wörld"); // never splits UTF-8
  CHECK(heard_part("", 500, 1000).empty());
}

TEST_CASE("turns come out in conversation order even when the caller transcript is late") {
  TranscriptAssembler t;
  t.place("u1", "");
  t.add_caller("u1", 1000, 1000);
  t.place("a1", "u1");
  t.add_assistant("a1", 2500, 2500);
  t.assistant_text("a1", "Sure, we open at nine.");
  t.assistant_played("a1");
  CHECK(t.take_ready(3000, 30000).empty());  // u1 holds a1 back
  t.caller_text("u1", "When do you open?");
  auto turns = t.take_ready(3100, 30000);
  REQUIRE(turns.size() == 2);
  CHECK(ids(turns) == std::vector<std::string>{"u1", "a1"});
  CHECK(turns[0].seq == 1);
  CHECK(turns[0].speaker == Speaker::caller);
  CHECK(turns[0].text_heard == "When do you open?");
  CHECK(turns[0].offset_ms == 1000);
  CHECK(turns[1].seq == 2);
  CHECK(turns[1].text_heard == "Sure, we open at nine.");
  CHECK_FALSE(turns[1].interrupted);
}

TEST_CASE("an item is placed after its previous item even when it becomes a turn later") {
  TranscriptAssembler t;
  // Engine order: u1 → fc (a function call, never a turn) → a2; a1 after u1 appears late.
  t.place("u1", "");
  t.place("a1", "u1");
  t.place("fc", "a1");
  t.place("a2", "fc");
  t.add_caller("u1", 0, 0);
  t.add_assistant("a2", 5000, 5000);  // first audio of a2 …
  t.add_assistant("a1", 3000, 5000);  // … before a1 became a turn (text only, say)
  for (const char* id : {"a1", "a2"}) {
    t.assistant_text(id, id);
    t.assistant_played(id);
  }
  t.caller_text("u1", "hi");
  CHECK(ids(t.take_ready(6000, 30000)) == std::vector<std::string>{"u1", "a1", "a2"});
}

TEST_CASE("an assistant turn waits until its playback settles") {
  TranscriptAssembler t;
  t.add_assistant("a1", 0, 0);
  t.assistant_text("a1", "Hello and welcome to Lotus Yoga");
  CHECK(t.take_ready(100, 30000).empty());
  t.assistant_cut("a1", 1000, 3000);
  auto turns = t.take_ready(200, 30000);
  REQUIRE(turns.size() == 1);
  CHECK(turns[0].interrupted);
  CHECK(turns[0].text_generated == "Hello and welcome to Lotus Yoga");
  CHECK(turns[0].text_heard == "Hello and");
}

TEST_CASE("a caller transcript that never comes stops blocking after the wait, and is released late if it comes") {
  TranscriptAssembler t;
  t.add_caller("u1", 0, 0);
  t.add_assistant("a1", 1000, 1000);
  t.assistant_text("a1", "Hello?");
  t.assistant_played("a1");
  CHECK(t.take_ready(29999, 30000).empty());
  auto after_wait = t.take_ready(30000, 30000);
  CHECK(ids(after_wait) == std::vector<std::string>{"a1"});
  t.caller_text("u1", "finally");
  auto late = t.take_ready(31000, 30000);
  REQUIRE(late.size() == 1);
  CHECK(late[0].item_id == "u1");
  CHECK(late[0].offset_ms == 0);
}

TEST_CASE("failed transcriptions and empty turns are not emitted but do not block") {
  TranscriptAssembler t;
  t.add_caller("u1", 0, 0);
  t.caller_failed("u1");
  t.add_assistant("a1", 10, 10);
  t.assistant_text("a1", "");
  t.assistant_played("a1");
  t.add_caller("u2", 20, 20);
  t.caller_text("u2", "ok");
  CHECK(ids(t.take_ready(30, 30000)) == std::vector<std::string>{"u2"});
}

TEST_CASE("take_all flushes what is left at the end of the call") {
  TranscriptAssembler t;
  t.add_caller("u1", 0, 0);  // no transcript: skipped
  t.add_assistant("a1", 10, 10);
  t.assistant_text("a1", "Goodbye!");
  auto turns = t.take_all();
  REQUIRE(turns.size() == 1);
  CHECK(turns[0].text_heard == "Goodbye!");
  CHECK(t.take_all().empty());
}

TEST_CASE("text streamed for an assistant turn stands in for its final text when the call or the session ends first") {
  SUBCASE("at the end of the call, cut to what was heard") {
    TranscriptAssembler t;
    t.add_assistant("a1", 10, 10);
    t.assistant_text_delta("a1", "We open at ");
    t.assistant_text_delta("a1", "seven tomorrow");
    t.assistant_cut("a1", 1000, 1000);
    auto turns = t.take_all();
    REQUIRE(turns.size() == 1);
    CHECK(turns[0].text_heard == "We open at seven tomorrow");
  }
  SUBCASE("text that streamed before the item's first audio counts too") {
    TranscriptAssembler t;
    t.assistant_text_delta("a1", "Goodbye");
    t.assistant_text_delta("a2", "never played");
    t.add_assistant("a1", 10, 10);
    auto turns = t.take_all();
    REQUIRE(turns.size() == 1);
    CHECK(turns[0].text_heard == "Goodbye");
  }
  SUBCASE("the final text replaces what streamed, and later deltas change nothing") {
    TranscriptAssembler t;
    t.add_assistant("a1", 10, 10);
    t.assistant_text_delta("a1", "We open at sev");
    t.assistant_text("a1", "We open at seven.");
    t.assistant_text_delta("a1", " extra");
    t.assistant_played("a1");
    auto turns = t.take_ready(20, 30000);
    REQUIRE(turns.size() == 1);
    CHECK(turns[0].text_heard == "We open at seven.");
  }
  SUBCASE("the session is gone: the turn is final with what streamed, released once played") {
    TranscriptAssembler t;
    t.add_assistant("a1", 10, 10);
    t.assistant_text_delta("a1", "One moment");
    CHECK(t.take_ready(20, 30000).empty());
    t.stop_waiting_for_text();
    CHECK(t.take_ready(20, 30000).empty());  // still playing
    t.assistant_played("a1");
    auto turns = t.take_ready(30, 30000);
    REQUIRE(turns.size() == 1);
    CHECK(turns[0].text_heard == "One moment");
    REQUIRE(t.history().size() == 1);
  }
  SUBCASE("nothing streamed and nothing final: no turn") {
    TranscriptAssembler t;
    t.add_assistant("a1", 10, 10);
    t.assistant_played("a1");
    CHECK(t.take_all().empty());
  }
}

TEST_CASE("history gives what the caller heard, in order, for re-seeding") {
  TranscriptAssembler t;
  t.add_caller("u1", 0, 0);
  t.caller_text("u1", "Do you have parking?");
  t.add_assistant("a1", 10, 10);
  t.assistant_text("a1", "Yes, there is a lot behind the studio");
  t.assistant_cut("a1", 500, 1000);
  auto lines = t.history();
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].speaker == Speaker::caller);
  CHECK(lines[1].text == "Yes, there is a");
}

TEST_CASE("stop_waiting_for_text finalises turns that will never get text") {
  TranscriptAssembler t;
  t.add_caller("u1", 0, 0);
  t.add_caller("u2", 5, 5);
  t.caller_text("u2", "hello");
  t.stop_waiting_for_text();
  CHECK(ids(t.take_ready(10, 30000)) == std::vector<std::string>{"u2"});
}

TEST_CASE("a long call keeps its order through function calls while old links are let go") {
  TranscriptAssembler t;
  // Fifty exchanges: caller → function call → assistant, each placed after the one before.
  std::string last;
  for (int i = 0; i < 50; ++i) {
    const std::string u = "u" + std::to_string(i), fc = "fc" + std::to_string(i), a = "a" + std::to_string(i);
    t.place(u, last);
    t.place(fc, u);
    t.place(a, fc);
    t.add_caller(u, i * 1000, i * 1000);
    t.caller_text(u, "question " + std::to_string(i));
    t.add_assistant(a, i * 1000 + 500, i * 1000 + 500);
    t.assistant_text(a, "answer " + std::to_string(i));
    t.assistant_played(a);
    last = a;
  }
  auto turns = t.take_ready(100'000, 30'000);
  REQUIRE(turns.size() == 100);
  for (int i = 0; i < 50; ++i) {
    CHECK(turns[2 * i].item_id == "u" + std::to_string(i));
    CHECK(turns[2 * i + 1].item_id == "a" + std::to_string(i));
    CHECK(turns[2 * i + 1].text_generated == "answer " + std::to_string(i));
  }
  CHECK(t.history().size() == 100);
}

TEST_CASE("a turn already recorded is not rewritten by a late cut or text, so history matches the record") {
  TranscriptAssembler t;
  t.place("a1", "");
  t.add_assistant("a1", 0, 0);
  t.assistant_text("a1", "We open at nine every day.");
  t.assistant_played("a1");
  auto turns = t.take_ready(1000, 30000);
  REQUIRE(turns.size() == 1);
  CHECK(turns[0].text_heard == "We open at nine every day.");
  t.assistant_cut("a1", 100, 3000);        // e.g. a barge-in racing the last mark
  t.assistant_text("a1", "something else");
  auto history = t.history();
  REQUIRE(history.size() == 1);
  CHECK(history[0].text == "We open at nine every day.");
  CHECK(t.take_all().empty());
}
