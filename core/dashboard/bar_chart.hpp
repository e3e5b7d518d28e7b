#pragma once
// Bar charts as inline SVG, drawn on the server: no script, no CDN, and readable without either.
// Each chart carries a <title> and <desc> for screen readers and its numbers as a table the page
// can show. Colours come from the stylesheet (classes), since the CSP allows no inline style.
// Pure.

#include <cstdint>
#include <string>
#include <vector>

namespace sonoria::dashboard {

struct Bar {
  std::string label;        // under the bar ("Mon 01", "14h", "completed")
  int64_t value = 0;
  std::string value_text;   // shown on hover and in the table; "" = the number
};

struct BarChart {
  std::string id;           // unique on the page
  std::string title;
  std::string description;  // one sentence for screen readers
  std::vector<Bar> bars;
  bool horizontal = false;  // categories with long names read better across
  int label_every = 1;      // show every n-th label under vertical bars (long date runs)
};

std::string render_bar_chart(const BarChart& chart);

}  // namespace sonoria::dashboard
