// A strict reader of the Prometheus text format 0.0.4, for tests: it refuses anything a
// Prometheus server would refuse and the looser things it tolerates but we never write
// (comments other than HELP/TYPE, samples before their TYPE, a family's samples split up,
// duplicate series, backslash escapes other than \\ \" \n, a missing final newline),
// and checks each histogram (le ascending, ending in +Inf, counts cumulative, +Inf ==
// _count, a _sum and _count per label set).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace postamt::metrics::testing {

struct Sample {
  std::string name;  // as written: "x_bucket", "x_sum", ...
  std::map<std::string, std::string> labels;
  double value = 0;
};

struct ParsedFamily {
  std::string help;
  std::string type;
  std::vector<Sample> samples;
};

struct Parsed {
  std::map<std::string, ParsedFamily> families;
  std::vector<std::string> order;  // family names in the order written
  // The value of the sample `name` with exactly `labels`; -1 when there is none.
  double value(const std::string& name, const std::map<std::string, std::string>& labels) const;
};

// Throws std::runtime_error naming the line and what is wrong.
Parsed parse_text_format(std::string_view text);

}  // namespace postamt::metrics::testing
