#include "api/system_handlers.h"

namespace costwise::api {

void Healthz(Context& /*context*/, const httplib::Request& /*request*/, httplib::Response& response,
             const Caller& /*caller*/) {
  SendJson(response, 200, {{"status", "ok"}});
}

}  // namespace costwise::api
