#include "core/dashboard/bar_chart.hpp"

#include <algorithm>

#include "core/dashboard/html.hpp"

namespace sonoria::dashboard {
namespace {

std::string num(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f", v);
  return buffer;
}

std::string shown(const Bar& bar) { return bar.value_text.empty() ? std::to_string(bar.value) : bar.value_text; }

}  // namespace

std::string render_bar_chart(const BarChart& chart) {
  const int64_t top = std::max<int64_t>(1, chart.bars.empty() ? 1 : std::max_element(chart.bars.begin(), chart.bars.end(),
                                                                                          [](const Bar& a, const Bar& b) {
                                                                                            return a.value < b.value;
                                                                                          })->value);
  const std::string id = escape(chart.id);
  std::string out = "<figure class=\"chart\" id=\"" + id + "\"><figcaption>" + escape(chart.title) + "</figcaption>";
  if (chart.bars.empty()) return out + "<p class=\"empty\">No calls in this period.</p></figure>";
  const std::size_t n = chart.bars.size();
  if (chart.horizontal) {
    const double row = 22, label_w = 130, width = 520, bar_w = width - label_w - 60;
    const double height = row * static_cast<double>(n) + 4;
    out += "<svg class=\"bars horizontal\" viewBox=\"0 0 " + num(width) + " " + num(height) + "\" role=\"img\" aria-labelledby=\"" +
           id + "-t " + id + "-d\"><title id=\"" + id + "-t\">" + escape(chart.title) + "</title><desc id=\"" + id +
           "-d\">" + escape(chart.description) + "</desc>";
    for (std::size_t i = 0; i < n; ++i) {
      const Bar& b = chart.bars[i];
      const double y = row * static_cast<double>(i) + 2;
      const double w = bar_w * static_cast<double>(b.value) / static_cast<double>(top);
      out += "<text class=\"label\" x=\"" + num(label_w - 6) + "\" y=\"" + num(y + 15) + "\" text-anchor=\"end\">" +
             escape(b.label) + "</text><rect class=\"bar\" x=\"" + num(label_w) + "\" y=\"" + num(y + 3) + "\" width=\"" +
             num(std::max(w, 1.0)) + "\" height=\"" + num(row - 6) + "\"><title>" + escape(b.label + ": " + shown(b)) +
             "</title></rect><text class=\"value\" x=\"" + num(label_w + w + 6) + "\" y=\"" + num(y + 15) + "\">" +
             escape(shown(b)) + "</text>";
    }
  } else {
    const double width = 640, height = 200, base = 170, plot_h = 150, left = 8;
    const double slot = (width - 2 * left) / static_cast<double>(n);
    out += "<svg class=\"bars\" viewBox=\"0 0 " + num(width) + " " + num(height) + "\" role=\"img\" aria-labelledby=\"" + id +
           "-t " + id + "-d\"><title id=\"" + id + "-t\">" + escape(chart.title) + "</title><desc id=\"" + id + "-d\">" +
           escape(chart.description) + "</desc><line class=\"axis\" x1=\"" + num(left) + "\" y1=\"" + num(base) +
           "\" x2=\"" + num(width - left) + "\" y2=\"" + num(base) + "\"/>";
    const int every = std::max(1, chart.label_every);
    for (std::size_t i = 0; i < n; ++i) {
      const Bar& b = chart.bars[i];
      const double h = plot_h * static_cast<double>(b.value) / static_cast<double>(top);
      const double x = left + slot * static_cast<double>(i);
      out += "<rect class=\"bar\" x=\"" + num(x + slot * 0.15) + "\" y=\"" + num(base - h) + "\" width=\"" +
             num(slot * 0.7) + "\" height=\"" + num(h) + "\"><title>" + escape(b.label + ": " + shown(b)) + "</title></rect>";
      if (static_cast<int>(i) % every == 0)
        out += "<text class=\"label\" x=\"" + num(x + slot / 2) + "\" y=\"" + num(base + 16) + "\" text-anchor=\"middle\">" +
               escape(b.label) + "</text>";
    }
    out += "<text class=\"value\" x=\"" + num(left) + "\" y=\"12\">max " + escape(shown(*std::max_element(
                                                                                chart.bars.begin(), chart.bars.end(),
                                                                                [](const Bar& a, const Bar& b) { return a.value < b.value; }))) +
           "</text>";
  }
  out += "</svg><details><summary>The numbers</summary><table><tbody>";
  for (const auto& b : chart.bars) out += "<tr><th scope=\"row\">" + escape(b.label) + "</th><td>" + escape(shown(b)) + "</td></tr>";
  return out + "</tbody></table></details></figure>";
}

}  // namespace sonoria::dashboard
