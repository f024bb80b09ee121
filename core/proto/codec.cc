#include "core/proto/codec.h"

namespace pg::detail {

void AppendDebugFieldName(std::string* out, std::string_view names, size_t index) {
  // names is the stringized PG_FIELDS list: "a, b, c".
  size_t start = 0;
  for (size_t i = 0; i < index; ++i) {
    const size_t comma = names.find(',', start);
    if (comma == std::string_view::npos) return;
    start = comma + 1;
  }
  while (start < names.size() && names[start] == ' ') ++start;
  size_t end = names.find(',', start);
  if (end == std::string_view::npos) end = names.size();
  if (index > 0) out->append(", ");
  out->append(names.substr(start, end - start));
  out->push_back('=');
}

}  // namespace pg::detail
