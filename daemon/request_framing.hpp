#pragma once
// Requests whose framing two HTTP implementations could read differently are refused, not
// guessed at: a proxy in front of the daemon and the daemon must agree where each request ends,
// or one client's bytes become the start of another's request (request smuggling, RFC 9112 §11.2).
// Beast accepts some of these for compatibility; the daemon answers them 400 or 501 and closes.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sonoria::daemon {

// What of a request's head decides how it is framed.
struct RequestHead {
  bool method_known = true;                     // a method HTTP defines (Beast's verb is not unknown)
  unsigned version = 11;                        // 10 or 11
  int host_fields = 0;                          // how many Host fields
  int fields = 0;                               // how many header fields in all
  std::vector<std::string> transfer_encodings;  // each Transfer-Encoding field's value
};

struct Refusal {
  int status = 400;
  std::string reason;
};

// Why the request must be refused, or nullopt:
//   431 more than `max_fields` header fields;
//   501 an unknown method, or a transfer coding other than chunked;
//   400 an HTTP/1.1 request without exactly one Host, a Transfer-Encoding whose last coding is not
//       chunked (the body's length cannot be known).
std::optional<Refusal> refuse_head(const RequestHead& head, int max_fields = 100);

// True when the header block (request line to the empty line) continues a line on the next one
// (obs-fold: CRLF then a space or tab), which RFC 9112 §5.2 lets a server refuse, and which a
// proxy may read as a separate field.
bool has_obsolete_fold(std::string_view header_block);

}  // namespace sonoria::daemon
