#include "daemon/request_framing.hpp"

#include <algorithm>
#include <cctype>

namespace sonoria::daemon {

namespace {

std::string lower_trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// The codings of every Transfer-Encoding field, in order ("gzip, chunked" is two).
std::vector<std::string> transfer_codings(const std::vector<std::string>& fields) {
  std::vector<std::string> codings;
  for (const auto& field : fields) {
    std::string_view rest = field;
    while (true) {
      const auto comma = rest.find(',');
      std::string coding = lower_trimmed(rest.substr(0, comma));
      // A coding may carry parameters ("gzip;q=1"): the name is what is compared.
      if (const auto semicolon = coding.find(';'); semicolon != std::string::npos)
        coding = lower_trimmed(coding.substr(0, semicolon));
      if (!coding.empty()) codings.push_back(std::move(coding));
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  return codings;
}

}  // namespace

std::optional<Refusal> refuse_head(const RequestHead& head, int max_fields) {
  if (head.fields > max_fields) {
    return Refusal{431, "the request has " + std::to_string(head.fields) + " header fields (at most " +
                            std::to_string(max_fields) + ", server.max_header_fields)"};
  }
  if (!head.method_known) return Refusal{501, "the request method is not one this server implements"};
  if (head.version >= 11 && head.host_fields != 1) {
    return Refusal{400, head.host_fields == 0 ? "an HTTP/1.1 request needs a Host header"
                                              : "the request has more than one Host header"};
  }
  if (!head.transfer_encodings.empty()) {
    const auto codings = transfer_codings(head.transfer_encodings);
    if (codings.empty() || codings.back() != "chunked") {
      return Refusal{400, "the request's Transfer-Encoding does not end in chunked, so its length is unknown"};
    }
    if (std::find(codings.begin(), codings.end() - 1, "chunked") != codings.end() - 1)
      return Refusal{400, "the request's Transfer-Encoding applies chunked more than once"};
    if (codings.size() > 1)
      return Refusal{501, "the transfer coding \"" + codings.front() + "\" is not supported (only chunked is)"};
  }
  return std::nullopt;
}

bool has_obsolete_fold(std::string_view header_block) {
  for (std::size_t at = header_block.find("\r\n"); at != std::string_view::npos;
       at = header_block.find("\r\n", at + 2)) {
    if (at + 2 >= header_block.size()) break;
    const char next = header_block[at + 2];
    if (next == '\r') break;  // the empty line: the head is over
    if (next == ' ' || next == '\t') return true;
  }
  return false;
}

}  // namespace sonoria::daemon
