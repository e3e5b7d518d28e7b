#include "core/twilio/xml_reader.hpp"

#include <expat.h>

#include <climits>
#include <memory>

namespace sonoria::twilio {
namespace {

// Builds the element tree from Expat's callbacks. A document type declaration stops the parse:
// TwiML has none, and refusing DTDs refuses entity expansion attacks with them.
struct TreeBuilder {
  XML_Parser parser = nullptr;
  std::vector<XmlElement> open;  // the elements not closed yet, outermost first
  std::optional<XmlElement> root;
  std::string refusal;           // why the parse was stopped, when we stopped it

  static void on_start(void* data, const XML_Char* name, const XML_Char** attributes) {
    auto& self = *static_cast<TreeBuilder*>(data);
    XmlElement element;
    element.name = name;
    for (int i = 0; attributes[i] != nullptr; i += 2) element.attributes.emplace_back(attributes[i], attributes[i + 1]);
    self.open.push_back(std::move(element));
  }

  static void on_end(void* data, const XML_Char*) {
    auto& self = *static_cast<TreeBuilder*>(data);
    XmlElement done = std::move(self.open.back());
    self.open.pop_back();
    if (self.open.empty()) self.root = std::move(done);
    else self.open.back().children.push_back(std::move(done));
  }

  static void on_text(void* data, const XML_Char* text, int length) {
    auto& self = *static_cast<TreeBuilder*>(data);
    if (!self.open.empty()) self.open.back().text.append(text, static_cast<std::size_t>(length));
  }

  static void on_doctype(void* data, const XML_Char*, const XML_Char*, const XML_Char*, int) {
    auto& self = *static_cast<TreeBuilder*>(data);
    self.refusal = "a DOCTYPE declaration is not allowed in TwiML";
    XML_StopParser(self.parser, XML_FALSE);
  }
};

struct ParserFree {
  void operator()(XML_Parser parser) const { XML_ParserFree(parser); }
};

// The name of the end tag Expat stopped at: it reports the offset of the name, just after "</".
std::string end_tag_at(std::string_view document, std::size_t offset) {
  const std::size_t open = document.rfind("</", offset);
  if (open == std::string_view::npos) return "";
  const std::size_t end = document.find_first_of("> \t\r\n", open + 2);
  return std::string(document.substr(open + 2, end == std::string_view::npos ? std::string_view::npos : end - open - 2));
}

}  // namespace

std::optional<std::string> XmlElement::attribute(std::string_view attribute_name) const {
  for (const auto& [key, value] : attributes) {
    if (key == attribute_name) return value;
  }
  return std::nullopt;
}

XmlParse parse_xml(std::string_view document) {
  XmlParse result;
  if (document.size() > static_cast<std::size_t>(INT_MAX)) {
    result.error = "line 1: the document is too large";
    return result;
  }
  std::unique_ptr<XML_ParserStruct, ParserFree> parser(XML_ParserCreate("UTF-8"));
  TreeBuilder builder;
  builder.parser = parser.get();
  XML_SetUserData(parser.get(), &builder);
  XML_SetElementHandler(parser.get(), TreeBuilder::on_start, TreeBuilder::on_end);
  XML_SetCharacterDataHandler(parser.get(), TreeBuilder::on_text);
  XML_SetStartDoctypeDeclHandler(parser.get(), TreeBuilder::on_doctype);
  if (XML_Parse(parser.get(), document.data(), static_cast<int>(document.size()), XML_TRUE) != XML_STATUS_OK) {
    const auto line = XML_GetCurrentLineNumber(parser.get());
    const XML_Error code = XML_GetErrorCode(parser.get());
    std::string what;
    if (!builder.refusal.empty()) {
      what = builder.refusal;
    } else if (code == XML_ERROR_TAG_MISMATCH && !builder.open.empty()) {
      const auto offset = XML_GetCurrentByteIndex(parser.get());
      what = "</" + end_tag_at(document, offset < 0 ? document.size() : static_cast<std::size_t>(offset)) + "> closes <" +
             builder.open.back().name + ">";
    } else if (code == XML_ERROR_UNDEFINED_ENTITY) {
      what = "unknown entity (TwiML knows &amp; &lt; &gt; &quot; &apos; and character references)";
    } else if (code == XML_ERROR_NO_ELEMENTS) {
      what = "expected the root element";
    } else {
      what = XML_ErrorString(code);
    }
    result.error = "line " + std::to_string(line) + ": " + what;
    return result;
  }
  result.root = std::move(builder.root);
  return result;
}

}  // namespace sonoria::twilio
