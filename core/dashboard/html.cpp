#include "core/dashboard/html.hpp"

#include <vector>

namespace sonoria::dashboard {

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string percent_encode(std::string_view text) {
  static constexpr char k_hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
        c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += k_hex[c >> 4];
      out += k_hex[c & 15];
    }
  }
  return out;
}

std::string query_string(const std::map<std::string, std::string>& params) {
  std::string out;
  for (const auto& [name, value] : params) {
    if (value.empty()) continue;
    if (!out.empty()) out += '&';
    out += percent_encode(name) + "=" + percent_encode(value);
  }
  return out;
}

std::string text_field(const std::string& name, const std::string& label, const std::string& value,
                       const std::string& error, const std::string& type, const std::string& extra) {
  const std::string id = "f-" + name;
  std::string out = "<div class=\"field" + std::string(error.empty() ? "" : " invalid") + "\"><label for=\"" +
                    escape(id) + "\">" + escape(label) + "</label><input id=\"" + escape(id) + "\" name=\"" +
                    escape(name) + "\" type=\"" + escape(type) + "\" value=\"" + escape(value) + "\"";
  if (!error.empty()) out += " aria-invalid=\"true\" aria-describedby=\"" + escape(id) + "-error\"";
  if (!extra.empty()) out += " " + extra;
  out += ">";
  if (!error.empty()) out += "<p class=\"error\" id=\"" + escape(id) + "-error\">" + escape(error) + "</p>";
  return out + "</div>";
}

std::string select_field(const std::string& name, const std::string& label,
                         const std::vector<std::pair<std::string, std::string>>& options, const std::string& selected) {
  const std::string id = "f-" + name;
  std::string out = "<div class=\"field\"><label for=\"" + escape(id) + "\">" + escape(label) + "</label><select id=\"" +
                    escape(id) + "\" name=\"" + escape(name) + "\">";
  for (const auto& [value, text] : options)
    out += "<option value=\"" + escape(value) + "\"" + (value == selected ? " selected" : "") + ">" + escape(text) +
           "</option>";
  return out + "</select></div>";
}

std::string csrf_field(const std::string& token) {
  return "<input type=\"hidden\" name=\"csrf\" value=\"" + escape(token) + "\">";
}

}  // namespace sonoria::dashboard
