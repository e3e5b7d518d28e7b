#include "core/doctor/twilio_numbers.hpp"

#include <nlohmann/json.hpp>

namespace sonoria::doctor {

namespace {

std::string text_at(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

NumberFindings check_numbers(const std::vector<AnsweredNumber>& answered, const nlohmann::json& incoming,
                             const std::string& public_url) {
  NumberFindings out;
  const std::string voice_url = public_url + "/twilio/voice";
  const std::string status_url = public_url + "/twilio/status";
  for (const auto& a : answered) {
    Check c{"number " + a.number, Status::ok, "", ""};
    const nlohmann::json* found = nullptr;
    if (incoming.is_array())
      for (const auto& n : incoming)
        if (n.is_object() && text_at(n, "phone_number") == a.number) found = &n;
    if (!found) {
      c.status = Status::failed;
      c.detail = "is not a number of this Twilio account (" + a.organization + " answers it)";
      c.fix = "buy or port it in the Twilio console, or correct organization.phone_numbers of " + a.organization;
      out.checks.push_back(std::move(c));
      continue;
    }
    std::vector<std::string> wrong;
    NumberFix fix{text_at(*found, "sid"), a.number, {}};
    const std::string voice = text_at(*found, "voice_url");
    const bool voice_wrong = voice != voice_url || upper(text_at(*found, "voice_method")) != "POST";
    if (voice_wrong) {
      wrong.push_back("calls go to " + (voice.empty() ? std::string("nowhere") : voice) +
                      (voice == voice_url ? " by " + upper(text_at(*found, "voice_method")) : ""));
      fix.fields.emplace_back("VoiceUrl", voice_url);
      fix.fields.emplace_back("VoiceMethod", "POST");
    }
    const std::string status = text_at(*found, "status_callback");
    if (status != status_url) {
      wrong.push_back("call statuses go to " + (status.empty() ? std::string("nowhere") : status));
      fix.fields.emplace_back("StatusCallback", status_url);
      fix.fields.emplace_back("StatusCallbackMethod", "POST");
    }
    if (wrong.empty()) {
      c.detail = "reaches this daemon (" + a.organization + ")";
    } else {
      // A wrong voice webhook loses every call; a missing status callback only the record of how
      // calls ended that never reached the stream.
      c.status = voice_wrong ? Status::failed : Status::warning;
      std::string joined;
      for (const auto& w : wrong) joined += (joined.empty() ? "" : "; ") + w;
      c.detail = joined + " (" + a.organization + ")";
      c.fix = "`sonoria doctor --fix` points it at " + voice_url + " and " + status_url;
      out.fixes.push_back(std::move(fix));
    }
    out.checks.push_back(std::move(c));
  }
  return out;
}

}  // namespace sonoria::doctor
