#pragma once
// The routes table: every endpoint the server answers and who may call it. The OpenAPI document
// (src/api/openapi.json) describes exactly these routes; tests/api check both ways.
#include <vector>

#include "api/http.h"

namespace costwise::api {

[[nodiscard]] const std::vector<Route>& Routes();

}  // namespace costwise::api
