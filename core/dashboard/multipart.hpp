#pragma once
// multipart/form-data (RFC 7578), as a browser sends a form with a file: the parts, each with its
// field name, the file's name when it is a file, and its bytes. What the dashboard's upload forms
// need and no more: no nested multipart, no transfer encodings (browsers send none). Pure.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sonoria::dashboard {

struct FormPart {
  std::string name;          // the form field
  std::optional<std::string> filename;  // set for a file (possibly "" when none was chosen)
  std::string content_type;  // as sent; "" when not
  std::string data;
};

// The boundary of a "multipart/form-data; boundary=…" Content-Type; nullopt for any other type.
std::optional<std::string> multipart_boundary(std::string_view content_type);

// The parts of `body`; nullopt when it is not a well-formed multipart body with that boundary.
std::optional<std::vector<FormPart>> parse_multipart(std::string_view body, std::string_view boundary);

}  // namespace sonoria::dashboard
