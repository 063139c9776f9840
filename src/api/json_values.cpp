#include "api/json_values.h"

#include <fmt/format.h>

#include "core/date.h"

namespace costwise::api {
namespace {

constexpr int kExactDecimals = 9;
constexpr std::int64_t kSecondsPerDay = 86'400;
constexpr std::int64_t kSecondsPerHour = 3600;
constexpr std::int64_t kSecondsPerMinute = 60;

}  // namespace

std::string MoneyText(Money money) { return money.ToString(kExactDecimals); }

nlohmann::json TimeJson(std::int64_t seconds) {
  const Date day = DateOfTimestamp(seconds);
  const std::int64_t of_day = seconds - static_cast<std::int64_t>(day.days()) * kSecondsPerDay;
  return fmt::format("{}T{:02}:{:02}:{:02}Z", day.ToString(), of_day / kSecondsPerHour,
                     of_day % kSecondsPerHour / kSecondsPerMinute, of_day % kSecondsPerMinute);
}

}  // namespace costwise::api
