#pragma once
// How the API writes shared kinds of values in JSON: exact money as a decimal string with nine
// decimals (nanos), times as ISO 8601 UTC ("2024-03-10T12:00:00Z").
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "core/money.h"

namespace costwise::api {

[[nodiscard]] std::string MoneyText(Money money);

// "2024-03-10T12:00:00Z" for seconds since the epoch.
[[nodiscard]] nlohmann::json TimeJson(std::int64_t seconds);

}  // namespace costwise::api
