#include "core/prompt/system_prompt.hpp"

#include <doctest/doctest.h>

#include "core/org/profile_toml.hpp"
#include "tests/support/temp_dir.hpp"

using namespace sonoria;

namespace {
org::Profile yoga() { return org::load_profile_file(test::source_dir() / "examples" / "yoga-studio.toml"); }
}  // namespace

TEST_CASE("after an unanswered transfer the assistant is told why, what was said, and to take a message") {
  auto profile = yoga();
  auto text = prompt::after_unanswered_transfer(
      profile, "busy", {{"caller", "Can I talk to someone about my membership?"}, {"assistant", "Let me connect you."}});
  CHECK(text.find("the line was busy") != std::string::npos);
  CHECK(text.find("Lotus") != std::string::npos);
  CHECK(text.find("- caller: Can I talk to someone about my membership?") != std::string::npos);
  CHECK(text.find("- assistant: Let me connect you.") != std::string::npos);
  CHECK(text.find("notify_owner") != std::string::npos);
  CHECK(text.find("end_call") != std::string::npos);
  CHECK(text.find("Do not try to transfer") != std::string::npos);

  CHECK(prompt::after_unanswered_transfer(profile, "no-answer", {}).find("nobody picked up") != std::string::npos);
  auto failed = prompt::after_unanswered_transfer(profile, "failed", {});
  CHECK(failed.find("could not be connected") != std::string::npos);
  CHECK(failed.find("What was said") == std::string::npos);  // nothing said: no empty section
}

TEST_CASE("the comeback greeting apologises by the business's name and offers to take a message") {
  auto greeting = prompt::after_unanswered_transfer_greeting(yoga());
  CHECK(greeting.find("Lotus") != std::string::npos);
  CHECK(greeting.find("take a message") != std::string::npos);
}
