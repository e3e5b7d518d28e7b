#include "core/kb/document.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>

#include "core/error.hpp"

namespace sonoria::kb {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The offset of the first byte that breaks UTF-8, or npos.
std::size_t invalid_utf8_at(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return i;
    for (std::size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return i;
    if (n == 2 && c < 0xC2) return i;  // overlong
    i += n;
  }
  return std::string_view::npos;
}

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n\f\v");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n\f\v");
  return std::string(s.substr(b, e - b + 1));
}

// Runs of whitespace become one space.
std::string squeeze(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// HTML character references: the common named ones and numeric ones; others stay as written.
std::string decode_entities(std::string_view s) {
  static const std::pair<std::string_view, std::string_view> k_named[] = {
      {"amp", "&"},      {"lt", "<"},       {"gt", ">"},       {"quot", "\""},    {"apos", "'"},
      {"nbsp", " "},     {"ndash", "–"},    {"mdash", "—"},    {"hellip", "…"},   {"rsquo", "’"},
      {"lsquo", "‘"},    {"rdquo", "”"},    {"ldquo", "“"},    {"copy", "©"},     {"reg", "®"},
      {"trade", "™"},    {"euro", "€"},     {"pound", "£"},    {"middot", "·"},   {"bull", "•"}};
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out += s[i];
      continue;
    }
    const auto semi = s.find(';', i);
    if (semi == std::string_view::npos || semi - i > 10) {
      out += '&';
      continue;
    }
    std::string_view name = s.substr(i + 1, semi - i - 1);
    bool done = false;
    if (!name.empty() && name[0] == '#') {
      uint32_t cp = 0;
      bool hex = name.size() > 1 && (name[1] == 'x' || name[1] == 'X');
      std::string_view digits = name.substr(hex ? 2 : 1);
      bool ok = !digits.empty();
      for (char c : digits) {
        int v = std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
                : hex && std::isxdigit(static_cast<unsigned char>(c)) ? std::tolower(c) - 'a' + 10
                                                                       : -1;
        if (v < 0 || cp > 0x10FFFF) {
          ok = false;
          break;
        }
        cp = cp * (hex ? 16 : 10) + static_cast<uint32_t>(v);
      }
      if (ok) {
        append_utf8(out, cp);
        done = true;
      }
    } else {
      for (const auto& [n, text] : k_named)
        if (n == name) {
          out += text;
          done = true;
          break;
        }
    }
    if (done) i = semi;
    else out += '&';
  }
  return out;
}

// Builds sections from headings and paragraphs as they are read.
class Sections {
 public:
  void heading(int level, std::string text) {
    flush();
    text = squeeze(text);
    if (text.empty()) return;
    if (level < 1) level = 1;
    path_.resize(std::min<std::size_t>(path_.size(), static_cast<std::size_t>(level - 1)));
    while (path_.size() < static_cast<std::size_t>(level - 1)) path_.emplace_back();
    path_.push_back(text);
    if (first_heading_.empty()) first_heading_ = text;
  }
  void line(std::string_view text) {
    if (!paragraph_.empty()) paragraph_ += ' ';
    paragraph_ += text;
  }
  void paragraph_end() {
    std::string p = squeeze(paragraph_);
    paragraph_.clear();
    if (p.empty()) return;
    if (!text_.empty()) text_ += "\n\n";
    text_ += p;
  }
  std::vector<Section> finish() {
    flush();
    return std::move(sections_);
  }
  const std::string& first_heading() const { return first_heading_; }

 private:
  void flush() {
    paragraph_end();
    if (text_.empty()) return;
    std::string heading;
    for (const auto& part : path_) {
      if (part.empty()) continue;
      heading += (heading.empty() ? "" : " › ") + part;
    }
    sections_.push_back({heading, std::move(text_)});
    text_.clear();
  }

  std::vector<std::string> path_;
  std::string paragraph_;
  std::string text_;
  std::vector<Section> sections_;
  std::string first_heading_;
};

// Inline Markdown to plain text: links and images keep their words, emphasis and code marks go,
// inline HTML tags go.
std::string markdown_inline(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if ((c == '!' && i + 1 < s.size() && s[i + 1] == '[') || c == '[') {
      const std::size_t open = c == '!' ? i + 1 : i;
      const auto close = s.find(']', open);
      if (close != std::string_view::npos) {
        out += s.substr(open + 1, close - open - 1);
        i = close;
        if (i + 1 < s.size() && s[i + 1] == '(') {
          const auto end = s.find(')', i + 1);
          if (end != std::string_view::npos) i = end;
        }
        continue;
      }
    }
    if (c == '<') {
      const auto end = s.find('>', i);
      if (end != std::string_view::npos && end > i + 1 &&
          (std::isalpha(static_cast<unsigned char>(s[i + 1])) || s[i + 1] == '/')) {
        i = end;
        continue;
      }
    }
    if (c == '*' || c == '`' || (c == '_' && (i == 0 || !std::isalnum(static_cast<unsigned char>(s[i - 1])) ||
                                              i + 1 == s.size() || !std::isalnum(static_cast<unsigned char>(s[i + 1])))))
      continue;
    if (c == '\\' && i + 1 < s.size() && std::ispunct(static_cast<unsigned char>(s[i + 1]))) {
      out += s[++i];
      continue;
    }
    out += c;
  }
  return decode_entities(out);
}

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    start = end + 1;
  }
  return lines;
}

bool all_of_char(std::string_view s, char c) {
  std::string t = trim(s);
  return t.size() >= 2 && std::all_of(t.begin(), t.end(), [c](char x) { return x == c; });
}

Document read_markdown(std::string_view text) {
  Sections out;
  const auto lines = lines_of(text);
  bool fence = false;
  bool front_matter = !lines.empty() && trim(lines[0]) == "---";
  for (std::size_t n = 0; n < lines.size(); ++n) {
    std::string_view line = lines[n];
    std::string t = trim(line);
    if (front_matter) {  // YAML front matter is metadata, not prose
      if (n > 0 && (t == "---" || t == "...")) front_matter = false;
      continue;
    }
    if (t.rfind("```", 0) == 0 || t.rfind("~~~", 0) == 0) {
      fence = !fence;
      out.paragraph_end();
      continue;
    }
    if (fence) {
      out.line(t);
      continue;
    }
    if (t.empty()) {
      out.paragraph_end();
      continue;
    }
    if (t[0] == '#') {
      std::size_t level = t.find_first_not_of('#');
      if (level != std::string::npos && level <= 6 && t[level] == ' ') {
        std::string heading = trim(std::string_view(t).substr(level));
        while (!heading.empty() && heading.back() == '#') heading.pop_back();
        out.heading(static_cast<int>(level), markdown_inline(trim(heading)));
        continue;
      }
    }
    // Setext headings: a line underlined with === or ---.
    if (n + 1 < lines.size() && (all_of_char(lines[n + 1], '=') || all_of_char(lines[n + 1], '-')) &&
        t.find('|') == std::string::npos) {
      out.heading(all_of_char(lines[n + 1], '=') ? 1 : 2, markdown_inline(t));
      ++n;
      continue;
    }
    if (all_of_char(t, '-') || all_of_char(t, '*') || all_of_char(t, '_')) {  // a rule
      out.paragraph_end();
      continue;
    }
    std::string_view body = t;
    while (!body.empty() && body.front() == '>') body = std::string_view(body).substr(1);  // quotes
    std::string b = trim(body);
    // List items start a paragraph of their own, so each stays readable on its own.
    bool item = false;
    if (b.size() > 1 && (b[0] == '-' || b[0] == '*' || b[0] == '+') && b[1] == ' ') {
      b = trim(std::string_view(b).substr(2));
      item = true;
    } else {
      std::size_t d = 0;
      while (d < b.size() && std::isdigit(static_cast<unsigned char>(b[d]))) ++d;
      if (d > 0 && d + 1 < b.size() && (b[d] == '.' || b[d] == ')') && b[d + 1] == ' ') {
        b = trim(std::string_view(b).substr(d + 2));
        item = true;
      }
    }
    if (b.find('|') != std::string::npos) {  // a table row: its cells as words
      if (std::all_of(b.begin(), b.end(), [](char c) { return c == '|' || c == '-' || c == ':' || c == ' '; })) continue;
      std::replace(b.begin(), b.end(), '|', ' ');
      item = true;
    }
    if (item) out.paragraph_end();
    out.line(markdown_inline(b));
    if (item) out.paragraph_end();
  }
  Document d;
  d.title = out.first_heading();
  d.sections = out.finish();
  return d;
}

Document read_text(std::string_view text) {
  Sections out;
  for (auto line : lines_of(text)) {
    std::string t = trim(line);
    if (t.empty()) out.paragraph_end();
    else out.line(t);
  }
  Document d;
  d.sections = out.finish();
  return d;
}

// HTML: the text of the body with block elements as paragraph breaks and h1–h6 as headings;
// script, style, head (but its <title>), template, svg and comments are dropped.
Document read_html(std::string_view html) {
  Sections out;
  Document d;
  std::string pending;  // text of the current block
  int heading_level = 0;
  std::string heading_text;
  auto flush_text = [&] {
    if (heading_level) return;
    out.line(decode_entities(pending));
    out.paragraph_end();
    pending.clear();
  };
  std::size_t i = 0;
  while (i < html.size()) {
    if (html[i] != '<') {
      auto next = html.find('<', i);
      if (next == std::string_view::npos) next = html.size();
      (heading_level ? heading_text : pending) += std::string(html.substr(i, next - i));
      i = next;
      continue;
    }
    if (html.substr(i, 4) == "<!--") {
      auto end = html.find("-->", i + 4);
      i = end == std::string_view::npos ? html.size() : end + 3;
      continue;
    }
    auto end = html.find('>', i);
    if (end == std::string_view::npos) break;
    std::string_view tag = html.substr(i + 1, end - i - 1);
    const bool closing = !tag.empty() && tag[0] == '/';
    if (closing) tag.remove_prefix(1);
    std::size_t name_end = 0;
    while (name_end < tag.size() && (std::isalnum(static_cast<unsigned char>(tag[name_end])))) ++name_end;
    const std::string name = lower(tag.substr(0, name_end));
    i = end + 1;
    if (!closing && (name == "script" || name == "style" || name == "template" || name == "svg" || name == "noscript" ||
                     name == "title")) {
      const auto close = lower(html.substr(i)).find("</" + name);
      std::string_view inner = close == std::string::npos ? html.substr(i) : html.substr(i, close);
      if (name == "title" && d.title.empty()) d.title = squeeze(decode_entities(inner));
      if (close == std::string::npos) break;
      i += close;
      auto gt = html.find('>', i);
      i = gt == std::string_view::npos ? html.size() : gt + 1;
      continue;
    }
    if (name.size() == 2 && name[0] == 'h' && name[1] >= '1' && name[1] <= '6') {
      if (!closing) {
        flush_text();
        heading_level = name[1] - '0';
        heading_text.clear();
      } else if (heading_level) {
        out.heading(heading_level, decode_entities(heading_text));
        heading_level = 0;
      }
      continue;
    }
    static const char* const k_blocks[] = {"p",     "div",  "br",    "li",      "ul",      "ol",     "tr",
                                           "table", "section", "article", "header", "footer", "blockquote",
                                           "dd",    "dt",   "pre",   "hr",      "main",    "nav",    "aside",
                                           "form",  "td",   "th",    "body",    "html",    "figcaption"};
    if (std::find(std::begin(k_blocks), std::end(k_blocks), name) != std::end(k_blocks)) {
      if (name == "td" || name == "th") (heading_level ? heading_text : pending) += ' ';
      else flush_text();
    }
  }
  flush_text();
  if (d.title.empty()) d.title = out.first_heading();
  d.sections = out.finish();
  return d;
}

std::string stem_of(std::string_view name) {
  auto slash = name.find_last_of('/');
  if (slash != std::string_view::npos) name.remove_prefix(slash + 1);
  auto dot = name.find_last_of('.');
  if (dot != std::string_view::npos && dot > 0) name = name.substr(0, dot);
  return std::string(name);
}

}  // namespace

std::string_view to_string(Format format) {
  switch (format) {
    case Format::markdown: return "markdown";
    case Format::text: return "text";
    case Format::html: return "html";
  }
  return "text";
}

std::optional<Format> format_of(std::string_view file_name) {
  auto dot = file_name.find_last_of('.');
  auto slash = file_name.find_last_of('/');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) return std::nullopt;
  const std::string ext = lower(file_name.substr(dot + 1));
  if (ext == "md" || ext == "markdown") return Format::markdown;
  if (ext == "txt" || ext == "text") return Format::text;
  if (ext == "html" || ext == "htm") return Format::html;
  return std::nullopt;
}

Document read_document(std::string_view bytes, Format format, std::string_view name) {
  const std::string who(name);
  if (bytes.size() > k_max_document_bytes)
    throw DataError(who + ": " + std::to_string(bytes.size()) + " bytes is too large (expected at most " +
                    std::to_string(k_max_document_bytes / (1024 * 1024)) + " MiB; split it into several documents)");
  if (auto nul = bytes.find('\0'); nul != std::string_view::npos)
    throw DataError(who + ": binary data (a NUL byte at offset " + std::to_string(nul) +
                    "); expected a text document: Markdown, plain text or HTML in UTF-8");
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);  // a byte-order mark
  if (auto bad = invalid_utf8_at(bytes); bad != std::string_view::npos)
    throw DataError(who + ": not UTF-8 text (an invalid byte at offset " + std::to_string(bad) +
                    "); save it as UTF-8 and import it again");
  Document d = format == Format::markdown ? read_markdown(bytes) : format == Format::html ? read_html(bytes) : read_text(bytes);
  if (d.sections.empty()) throw DataError(who + ": no text in it (expected paragraphs of prose)");
  if (d.title.empty()) d.title = stem_of(name);
  return d;
}

}  // namespace sonoria::kb
