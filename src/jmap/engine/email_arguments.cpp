#include "jmap/engine/email_arguments.h"

#include "jmap/engine/arguments.h"

namespace postamt::jmap {

BodyArguments read_body_arguments(const boost::json::object& arguments) {
  BodyArguments out;
  if (auto bp = read_string_list(arguments, "bodyProperties")) {
    for (const std::string& p : *bp)
      if (!is_body_part_property(p)) fail_argument("bodyProperties", "unknown property " + p);
    out.body_properties = std::move(*bp);
  }
  out.options.fetch_text = read_bool(arguments, "fetchTextBodyValues").value_or(false);
  out.options.fetch_html = read_bool(arguments, "fetchHTMLBodyValues").value_or(false);
  out.options.fetch_all = read_bool(arguments, "fetchAllBodyValues").value_or(false);
  out.options.max_body_value_bytes = read_uint(arguments, "maxBodyValueBytes").value_or(0);
  return out;
}

}  // namespace postamt::jmap
