#include "core/tools/messaging.hpp"

#include "core/org/phone_numbers.hpp"
#include "core/org/templates.hpp"
#include "core/phone/phone_number.hpp"

namespace sonoria::tools {
namespace {

using nlohmann::json;

constexpr int k_customer_name_max = 100;
constexpr int k_message_max = 600;

const char* const k_default_booking = "{{org_name}}: here is the link to book{{for_service}}: {{booking_url}}";
const char* const k_default_update = "{{org_name}}: you can reschedule your appointment here: {{portal_url}}";
const char* const k_default_cancel = "{{org_name}}: you can cancel your appointment here: {{portal_url}}";
const char* const k_default_owner = "New message from {{customer_name}} ({{caller_phone}}): {{message}}";

json link_parameters() {
  return {{"type", "object"},
          {"properties",
           {{"customer_name", {{"type", "string"}, {"maxLength", k_customer_name_max}, {"description", "The caller's name, if they gave it."}}},
            {"service", {{"type", "string"}, {"maxLength", k_customer_name_max}, {"description", "The service they asked about, if any."}}}}},
          {"additionalProperties", false}};
}

struct LinkTool {
  const char* name;
  const char* description;
  const char* purpose;
  const char* what;                  // "the booking link"
  std::string org::SmsTemplates::*tmpl;
  const char* fallback;
  std::string org::Organization::*url;
};

}  // namespace

std::map<std::string, std::string> template_values(const org::Profile& profile, const CallParties& parties,
                                                    const json& arguments) {
  const auto& o = profile.organization;
  std::map<std::string, std::string> v = {
      {"customer_name", string_arg(arguments, "customer_name")},
      {"service", string_arg(arguments, "service")},
      {"booking_url", o.booking_url},
      {"portal_url", o.portal_url},
      {"org_name", o.name},
      {"org_phone", parties.business_number.empty() && !o.phone_numbers.empty() ? o.phone_numbers.front()
                                                                                : parties.business_number},
      {"caller_phone", parties.caller_number.empty() ? std::string("number withheld") : parties.caller_number},
      {"message", string_arg(arguments, "message")},
      {"assistant_name", profile.assistant.name},
      {"location", o.locations.empty() ? std::string() : o.locations.front().address}};
  // Only for the built-in booking text: " for yoga" when a service was named.
  v["for_service"] = v["service"].empty() ? "" : " for " + v["service"];
  return v;
}

db::MessageRecord text_record(std::optional<int64_t> organization_id, const SendSms& sms, const std::string& from) {
  db::MessageRecord record;
  record.organization_id = organization_id;
  record.purpose = sms.purpose;
  record.from_number = from;
  record.to_number = sms.to;
  record.body = sms.body;
  record.at = db::now_ms();
  return record;
}

void add_messaging_tools(Registry& registry, const org::Profile& profile, const CallParties& parties) {
  static const LinkTool k_links[] = {
      {"send_booking_link",
       "Text the caller a link where they can book an appointment online. Use it when they want to book, or ask "
       "for the link. Tell them the text is on its way.",
       "booking_link", "the booking link", &org::SmsTemplates::booking, k_default_booking,
       &org::Organization::booking_url},
      {"send_reschedule_link",
       "Text the caller a link where they can reschedule an existing appointment.", "reschedule_link",
       "the rescheduling link", &org::SmsTemplates::update, k_default_update, &org::Organization::portal_url},
      {"send_cancellation_link", "Text the caller a link where they can cancel an existing appointment.",
       "cancellation_link", "the cancellation link", &org::SmsTemplates::cancel, k_default_cancel,
       &org::Organization::portal_url},
  };
  const bool caller_reachable = phone::is_e164(parties.caller_number);
  // With an appointment book the assistant books itself (booking_tools.hpp): no links.
  const bool links = profile.booking.mode == org::k_booking_link;
  for (const auto& link : k_links) {
    if (!links || !caller_reachable || (profile.organization.*link.url).empty()) continue;
    const std::string tmpl = (profile.sms_templates.*link.tmpl).empty() ? link.fallback : profile.sms_templates.*link.tmpl;
    registry.add({link.name, link.description, link_parameters()},
                 [&profile, parties, tmpl, link](const json& args) {
                   SendSms sms{parties.caller_number, org::render_template(tmpl, template_values(profile, parties, args)),
                               link.purpose, "the caller"};
                   ToolOutcome out = tool_success({{"status", "sending"}, {"to", "the caller's phone"}}, sms);
                   out.transcript_note = std::string("Texted ") + link.what + " to " + sms.to + ".";
                   return out;
                 });
  }

  if (phone::is_e164(profile.organization.owner.phone)) {
    const std::string tmpl =
        profile.sms_templates.notify_owner.empty() ? k_default_owner : profile.sms_templates.notify_owner;
    json parameters = {
        {"type", "object"},
        {"properties",
         {{"caller_name", {{"type", "string"}, {"maxLength", k_customer_name_max}, {"description", "The caller's name."}}},
          {"message",
           {{"type", "string"}, {"maxLength", k_message_max}, {"description", "The caller's message, in their words, short."}}},
          {"callback_number",
           {{"type", "string"},
            {"maxLength", 32},
            {"description", "A different number to call back, with its area code as the caller said it, if they gave one."}}}}},
        {"required", {"caller_name", "message"}},
        {"additionalProperties", false}};
    registry.add({"notify_owner",
                  "Pass a message to the business owner by text: who called, their number and what they want. Use it "
                  "when the caller wants to leave a message or needs a person who is not available.",
                  parameters},
                 [&profile, parties, tmpl](const json& args) {
                   const std::string name = string_arg(args, "caller_name");
                   const std::string message = string_arg(args, "message");
                   std::string callback = string_arg(args, "callback_number");
                   if (name.find_first_not_of(" \t") == std::string::npos)
                     return tool_failure("argument \"caller_name\" is empty: ask the caller for their name first");
                   if (message.find_first_not_of(" \t") == std::string::npos)
                     return tool_failure("argument \"message\" is empty: ask the caller what the message is");
                   if (!callback.empty()) {
                     // As the caller said it: their country is the business's unless they said otherwise.
                     const phone::Parsed parsed = phone::parse(callback, org::default_region(profile.organization));
                     if (!parsed.number)
                       return tool_failure("argument \"callback_number\" " + parsed.error + "; ask the caller to repeat it");
                     callback = parsed.number->e164;
                   }
                   CallParties effective = parties;
                   if (!callback.empty()) effective.caller_number = callback;
                   json values = {{"customer_name", name}, {"message", message}};
                   SendSms sms{profile.organization.owner.phone,
                               org::render_template(tmpl, template_values(profile, effective, values)), "notify_owner",
                               "the owner"};
                   ToolOutcome out = tool_success({{"status", "sending"}, {"to", "the owner"}}, sms);
                   out.transcript_note = "Texted a message from " + name + " to the owner.";
                   return out;
                 });
  }
}

ToolOutcome finish_sms_outcome(const ToolOutcome& provisional, const SendSms& sms,
                               const std::optional<std::string>& message_sid, const std::string& error) {
  ToolOutcome out;
  if (message_sid) {
    out = tool_success({{"status", "sent"},
                        {"to", sms.recipient},
                        {"message", "The text was sent to " + sms.recipient + ". It should arrive within a minute."}});
    out.transcript_note = provisional.transcript_note;
  } else {
    out = tool_failure("The text to " + sms.recipient + " could not be sent: " + error +
                       " Tell the caller, and offer another way (for example reading the details out).");
  }
  out.repeat_key = provisional.repeat_key;
  return out;
}

}  // namespace sonoria::tools
