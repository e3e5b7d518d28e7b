#pragma once
// `sonoria analytics` as charts: calls per day, outcomes, busiest hours, turn latency and cost,
// with the headline figures beside them. Pure.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/dashboard/layout.hpp"
#include "core/reports/analytics.hpp"

namespace sonoria::dashboard {

struct AnalyticsPageData {
  std::string org;                      // the filter (slug); "" = every organization the viewer sees
  std::string since;                    // YYYY-MM-DD
  std::string until;                    // YYYY-MM-DD, inclusive
  std::vector<std::pair<std::string, std::string>> organizations;  // (slug, name)
  std::string error;
  reports::Analytics totals;
  std::vector<std::pair<std::string, int64_t>> calls_per_day;      // ("2026-12-01", calls), every day of the period
  std::vector<std::pair<std::string, int64_t>> cost_per_day;       // ("2026-12-01", micro-dollars)
  std::vector<std::pair<std::string, int64_t>> latency_histogram;  // ("300–500 ms", turns)
};

// The latency bands of the histogram, in milliseconds: [0,300), [300,500), … [2000, ∞).
const std::vector<int64_t>& latency_band_starts();
std::string latency_band_label(std::size_t band);

std::string render_analytics(const Frame& frame, const AnalyticsPageData& data);

}  // namespace sonoria::dashboard
