#pragma once
// XML as TwiML uses it, read by Expat: elements, attributes, text, comments, CDATA, the XML
// declaration, the five named entities and character references. No namespaces; a document type
// declaration is refused. Pure; callable from any thread.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sonoria::twilio {

struct XmlElement {
  std::string name;
  std::vector<std::pair<std::string, std::string>> attributes;  // in document order, unescaped
  std::string text;                   // the element's own character data, unescaped, concatenated
  std::vector<XmlElement> children;

  // The value of attribute `name`, or nullopt.
  std::optional<std::string> attribute(std::string_view attribute_name) const;
};

// Either the root element or an error naming the line and what was expected.
struct XmlParse {
  std::optional<XmlElement> root;
  std::string error;  // "line 3: expected '>' after attribute list", empty on success
};

XmlParse parse_xml(std::string_view document);

}  // namespace sonoria::twilio
