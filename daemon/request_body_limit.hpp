#pragma once
// How large a request body may be, by path, decided from the request's head before the body is
// read (HttpServerOptions::body_limit_for): the API takes small JSON bodies (api.max_body_bytes,
// refused with its JSON problem), the dashboard's forms a large profile (dashboard.max_form_bytes)
// and its upload a knowledge-base document (dashboard.max_upload_bytes); everything else, the
// webhooks included, server.max_body_bytes.

#include <string_view>

#include "core/config/settings.hpp"
#include "daemon/http_server.hpp"

namespace sonoria::daemon {

// `origin` is the request's Origin header: the API's 413 carries the CORS headers its other answers
// would, so that a browser client can read why.
HttpBodyLimit request_body_limit(const config::Settings& settings, std::string_view method, std::string_view path,
                                 std::string_view origin = {});

}  // namespace sonoria::daemon
