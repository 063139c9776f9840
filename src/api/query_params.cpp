#include "api/query_params.h"

#include <charconv>
#include <system_error>

#include <fmt/format.h>

namespace costwise::api {

Result<std::optional<Date>> DateParam(const httplib::Request& request, const char* name) {
  const std::string text = request.get_param_value(name);
  if (text.empty()) return std::optional<Date>();
  std::optional<Date> date = Date::Parse(text);
  if (!date) {
    return MakeError(ErrorCode::kInvalidInput,
                     fmt::format("{} must be a date YYYY-MM-DD, not \"{}\"", name, text));
  }
  return date;
}

Result<std::optional<Money>> MoneyParam(const httplib::Request& request, const char* name) {
  const std::string text = request.get_param_value(name);
  if (text.empty()) return std::optional<Money>();
  std::optional<Money> money = Money::Parse(text);
  if (!money) {
    return MakeError(ErrorCode::kInvalidInput,
                     fmt::format("{} must be an amount such as 12.50, not \"{}\"", name, text));
  }
  return money;
}

Result<std::size_t> CountParam(const httplib::Request& request, const char* name,
                               std::size_t fallback) {
  const std::string text = request.get_param_value(name);
  if (text.empty()) return fallback;
  std::size_t count = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), count);
  if (error != std::errc() || end != text.data() + text.size()) {
    return MakeError(ErrorCode::kInvalidInput,
                     fmt::format("{} must be a whole number, not \"{}\"", name, text));
  }
  return count;
}

}  // namespace costwise::api
