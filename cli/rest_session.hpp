#pragma once
// Runs one Twilio REST operation from the CLI on a short-lived io_context and returns its result.

#include <boost/asio/io_context.hpp>
#include <functional>
#include <optional>

#include "core/twilio/rest_client.hpp"

namespace sonoria::cli {

// Creates a RestClient for `account` on a private io_context, lets `start` issue one operation
// whose handler stores the result, runs the loop to completion and returns the result.
template <class Result>
Result run_rest(const twilio::RestAccount& account,
                const std::function<void(twilio::RestClient&, std::function<void(Result)>)>& start) {
  boost::asio::io_context io;
  twilio::RestClientOptions options;
  options.deadline = std::chrono::seconds(20);
  options.request_timeout = std::chrono::seconds(10);
  auto client = twilio::RestClient::create(io.get_executor(), account, options);
  std::optional<Result> out;
  start(*client, [&out](Result r) { out = std::move(r); });
  io.run();
  return out ? std::move(*out) : Result{};
}

}  // namespace sonoria::cli
