#pragma once
// Reading optional query parameters of a request: dates, money, counts and names from a fixed
// set. Each gives InvalidInput naming the parameter when its text is wrong, and empty when it is
// absent or empty.
#include <httplib.h>

#include <cstddef>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "core/date.h"
#include "core/error.h"
#include "core/money.h"

namespace costwise::api {

// "YYYY-MM-DD".
[[nodiscard]] Result<std::optional<Date>> DateParam(const httplib::Request& request,
                                                    const char* name);
// A decimal amount: "12.5".
[[nodiscard]] Result<std::optional<Money>> MoneyParam(const httplib::Request& request,
                                                      const char* name);
// A non-negative integer; `fallback` when absent.
[[nodiscard]] Result<std::size_t> CountParam(const httplib::Request& request, const char* name,
                                             std::size_t fallback);

// "limit" (default: the query's) and "offset" (default 0) into a query with those members.
template <typename Query>
[[nodiscard]] Status ReadPage(const httplib::Request& request, Query& query) {
  auto limit = CountParam(request, "limit", query.limit);
  if (!limit) return unexpected(std::move(limit.error()));
  auto offset = CountParam(request, "offset", 0);
  if (!offset) return unexpected(std::move(offset.error()));
  query.limit = *limit;
  query.offset = *offset;
  return {};
}

// The parameter parsed by `parse` (which returns an optional), or InvalidInput listing
// `allowed`.
template <typename Parse>
auto NamedParam(const httplib::Request& request, const char* name, Parse parse, const char* allowed)
    -> Result<decltype(parse(std::string()))> {
  const std::string text = request.get_param_value(name);
  if (text.empty()) return decltype(parse(std::string()))();
  auto value = parse(text);
  if (!value) {
    return MakeError(ErrorCode::kInvalidInput,
                     fmt::format("{} must be one of {}, not \"{}\"", name, allowed, text));
  }
  return value;
}

}  // namespace costwise::api
