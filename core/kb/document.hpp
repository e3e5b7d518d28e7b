#pragma once
// A knowledge-base document as text: Markdown, plain text or HTML read into titled sections of
// plain prose (markup stripped, entities decoded), ready to be split into passages. What is not a
// text document in one of those formats — binary data, invalid UTF-8, another extension, nothing
// readable in it — is refused with a sentence naming the file and why. Pure; no I/O.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sonoria::kb {

enum class Format { markdown, text, html };
std::string_view to_string(Format format);

// By the file name's extension: .md .markdown → Markdown, .txt .text → plain text, .html .htm →
// HTML (case-insensitive); nullopt for anything else.
std::optional<Format> format_of(std::string_view file_name);

// One part of a document under its heading ("" before the first heading); paragraphs are
// separated by a blank line ("\n\n"), each on one line.
struct Section {
  std::string heading;               // the heading path, "Billing › Insurance"
  std::string text;
};

struct Document {
  std::string title;                 // the first top heading (or <title>); else the file's name
  std::vector<Section> sections;
};

// The largest document accepted (bytes).
inline constexpr std::size_t k_max_document_bytes = 4 * 1024 * 1024;

// Reads `bytes` as `format`. `name` is the file's name, for the title and for errors. Throws
// DataError ("NAME: …") for binary data, invalid UTF-8, a file over k_max_document_bytes, or one
// with no text.
Document read_document(std::string_view bytes, Format format, std::string_view name);

}  // namespace sonoria::kb
