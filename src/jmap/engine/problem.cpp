#include "jmap/engine/problem.h"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace postamt::jmap {

http::Response problem(int status, std::string_view type, std::string_view detail,
                       std::string_view limit) {
  boost::json::object o{{"type", type}, {"status", status}, {"detail", detail}};
  if (!limit.empty()) o["limit"] = limit;
  http::Response r;
  r.status = status;
  r.with("Content-Type", "application/problem+json");
  r.body = boost::json::serialize(o);
  return r;
}

}  // namespace postamt::jmap
