#include "store/revisions.h"

#include <string>
#include <string_view>

#include "store/soci_includes.h"

namespace costwise::store {
namespace {

std::string_view ColumnOf(Revision revision) {
  return revision == Revision::kAnomalies ? "anomalies_revision" : "forecasts_revision";
}

}  // namespace

void RaiseRevision(soci::session& session, std::int64_t tenant_id, Revision revision) {
  const long long tenant = tenant_id;
  const std::string column(ColumnOf(revision));
  session << "UPDATE tenants SET " + column + " = " + column + " + 1 WHERE id = :tenant",
      soci::use(tenant, "tenant");
}

std::int64_t ReadRevision(soci::session& session, std::int64_t tenant_id, Revision revision) {
  const long long tenant = tenant_id;
  long long value = 0;
  session << "SELECT " + std::string(ColumnOf(revision)) + " FROM tenants WHERE id = :tenant",
      soci::use(tenant, "tenant"), soci::into(value);
  return value;
}

}  // namespace costwise::store
