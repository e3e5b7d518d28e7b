#include "core/twilio/xml_reader.hpp"

#include <algorithm>
#include <cstdint>

namespace sonoria::twilio {
namespace {

// Thrown inside the reader only; parse_xml turns it into XmlParse::error.
struct XmlFailure {
  std::size_t offset;
  std::string message;
};

bool is_name_start(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == ':' ||
         static_cast<unsigned char>(c) >= 0x80;
}

bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.'; }

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

class Reader {
 public:
  explicit Reader(std::string_view doc) : doc_(doc) {}

  XmlElement document() {
    if (doc_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
    skip_misc();
    if (at_end() || peek() != '<') fail("expected the root element");
    XmlElement root = element();
    skip_misc();
    if (!at_end()) fail("unexpected content after the root element");
    return root;
  }

 private:
  bool at_end() const { return pos_ >= doc_.size(); }
  char peek() const { return doc_[pos_]; }
  bool starts_with(std::string_view s) const { return doc_.substr(pos_, s.size()) == s; }
  [[noreturn]] void fail(const std::string& message) const { throw XmlFailure{pos_, message}; }

  void expect(std::string_view s) {
    if (!starts_with(s)) fail("expected '" + std::string(s) + "'");
    pos_ += s.size();
  }

  void skip_spaces() {
    while (!at_end() && is_space(peek())) ++pos_;
  }

  void skip_until(std::string_view terminator, const char* what) {
    const auto end = doc_.find(terminator, pos_);
    if (end == std::string_view::npos) fail(std::string("unterminated ") + what);
    pos_ = end + terminator.size();
  }

  // Whitespace, comments and processing instructions (the XML declaration) outside the root.
  void skip_misc() {
    for (;;) {
      skip_spaces();
      if (starts_with("<?")) {
        skip_until("?>", "processing instruction");
      } else if (starts_with("<!--")) {
        skip_until("-->", "comment");
      } else if (starts_with("<!DOCTYPE")) {
        fail("DOCTYPE is not supported in TwiML");
      } else {
        return;
      }
    }
  }

  std::string name() {
    if (at_end() || !is_name_start(peek())) fail("expected a name");
    const std::size_t start = pos_;
    while (!at_end() && is_name_char(peek())) ++pos_;
    return std::string(doc_.substr(start, pos_ - start));
  }

  // Reads an entity reference at pos_ ('&') and appends its character(s).
  void entity(std::string& out) {
    const auto semi = doc_.find(';', pos_);
    if (semi == std::string_view::npos || semi - pos_ > 12) fail("unterminated entity reference");
    const std::string_view ref = doc_.substr(pos_ + 1, semi - pos_ - 1);
    if (ref == "amp") out.push_back('&');
    else if (ref == "lt") out.push_back('<');
    else if (ref == "gt") out.push_back('>');
    else if (ref == "quot") out.push_back('"');
    else if (ref == "apos") out.push_back('\'');
    else if (ref.size() > 1 && ref[0] == '#') {
      std::uint32_t cp = 0;
      const bool hex = ref[1] == 'x' || ref[1] == 'X';
      const std::string_view digits = ref.substr(hex ? 2 : 1);
      if (digits.empty()) fail("empty character reference");
      for (char c : digits) {
        int v = -1;
        if (c >= '0' && c <= '9') v = c - '0';
        else if (hex && c >= 'a' && c <= 'f') v = c - 'a' + 10;
        else if (hex && c >= 'A' && c <= 'F') v = c - 'A' + 10;
        if (v < 0) fail("bad character reference '&" + std::string(ref) + ";'");
        cp = cp * (hex ? 16 : 10) + static_cast<std::uint32_t>(v);
        if (cp > 0x10FFFF) fail("character reference out of range");
      }
      if (cp == 0) fail("character reference to NUL");
      append_utf8(out, cp);
    } else {
      fail("unknown entity '&" + std::string(ref) + ";'");
    }
    pos_ = semi + 1;
  }

  std::string attribute_value() {
    if (at_end() || (peek() != '"' && peek() != '\'')) fail("expected a quoted attribute value");
    const char quote = peek();
    ++pos_;
    std::string value;
    for (;;) {
      if (at_end()) fail("unterminated attribute value");
      const char c = peek();
      if (c == quote) break;
      if (c == '<') fail("'<' in attribute value");
      if (c == '&') {
        entity(value);
        continue;
      }
      value.push_back(c);
      ++pos_;
    }
    ++pos_;
    return value;
  }

  XmlElement element() {
    expect("<");
    XmlElement el;
    el.name = name();
    for (;;) {
      const std::size_t before = pos_;
      skip_spaces();
      if (at_end()) fail("unterminated start tag <" + el.name + ">");
      if (starts_with("/>")) {
        pos_ += 2;
        return el;
      }
      if (peek() == '>') {
        ++pos_;
        break;
      }
      if (pos_ == before) fail("expected whitespace before an attribute");
      std::string attr = name();
      skip_spaces();
      expect("=");
      skip_spaces();
      std::string value = attribute_value();
      const bool duplicate = std::any_of(el.attributes.begin(), el.attributes.end(),
                                         [&](const auto& a) { return a.first == attr; });
      if (duplicate) fail("duplicate attribute '" + attr + "' on <" + el.name + ">");
      el.attributes.emplace_back(std::move(attr), std::move(value));
    }
    content(el);
    return el;
  }

  void content(XmlElement& el) {
    for (;;) {
      if (at_end()) fail("missing </" + el.name + ">");
      if (starts_with("</")) {
        pos_ += 2;
        const std::string closing = name();
        if (closing != el.name) fail("</" + closing + "> closes <" + el.name + ">");
        skip_spaces();
        expect(">");
        return;
      }
      if (starts_with("<!--")) {
        skip_until("-->", "comment");
      } else if (starts_with("<![CDATA[")) {
        pos_ += 9;
        const auto end = doc_.find("]]>", pos_);
        if (end == std::string_view::npos) fail("unterminated CDATA section");
        el.text.append(doc_.substr(pos_, end - pos_));
        pos_ = end + 3;
      } else if (starts_with("<?")) {
        skip_until("?>", "processing instruction");
      } else if (peek() == '<') {
        el.children.push_back(element());
      } else if (peek() == '&') {
        entity(el.text);
      } else {
        el.text.push_back(peek());
        ++pos_;
      }
    }
  }

  std::string_view doc_;
  std::size_t pos_ = 0;
};

}  // namespace

std::optional<std::string> XmlElement::attribute(std::string_view attribute_name) const {
  for (const auto& [key, value] : attributes) {
    if (key == attribute_name) return value;
  }
  return std::nullopt;
}

XmlParse parse_xml(std::string_view document) {
  XmlParse result;
  try {
    result.root = Reader(document).document();
  } catch (const XmlFailure& failure) {
    const std::size_t upto = std::min(failure.offset, document.size());
    const auto line = 1 + std::count(document.begin(), document.begin() + static_cast<std::ptrdiff_t>(upto), '\n');
    result.error = "line " + std::to_string(line) + ": " + failure.message;
  }
  return result;
}

}  // namespace sonoria::twilio
