// The Prometheus text exposition format, version 0.0.4 (served as
// "text/plain; version=0.0.4; charset=utf-8"):
//
//   # HELP postamt_logins_total Logins by listener service and result.
//   # TYPE postamt_logins_total counter
//   postamt_logins_total{service="imap",result="ok"} 3
//
// Every family gets its HELP and TYPE line, also before its first child exists. Children
// are written sorted by their label values; a histogram child as cumulative
// `_bucket{...,le="<bound>"}` lines ending with le="+Inf", then `_sum` and `_count`.
// Escaping: in HELP text `\` and newline become `\\` and `\n`; in label values `\`,
// `"` and newline become `\\`, `\"` and `\n`. Numbers: integers in decimal, other values
// in the shortest form that reads back exactly, "+Inf", "-Inf", "NaN".
//
// Pure functions (render() runs the registry's collectors first), any thread.
#pragma once

#include <string>
#include <string_view>

#include "metrics/registry.h"

namespace postamt::metrics {

inline constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

std::string render(const Registry& registry);

std::string escape_help(std::string_view text);
std::string escape_label_value(std::string_view value);
std::string format_value(double v);

}  // namespace postamt::metrics
