#pragma once
// The SQL of alert channels, rules and deliveries (schema version 7). Every function runs in the
// caller's session (in the caller's transaction where it writes several rows) and throws SOCI
// errors; tenant-scoped reads and writes name the tenant in their WHERE clause.
#include <cstdint>
#include <span>
#include <vector>

#include "core/error.h"
#include "store/alert_types.h"

namespace soci {
class session;
}  // namespace soci

namespace costwise::store {

// Conflict when the tenant has a channel of that name.
[[nodiscard]] Result<std::int64_t> InsertAlertChannel(soci::session& session,
                                                      const AlertChannelRecord& channel);
[[nodiscard]] std::vector<AlertChannelRecord> SelectAlertChannels(soci::session& session,
                                                                  std::int64_t tenant_id);
[[nodiscard]] Result<AlertChannelRecord> SelectAlertChannel(soci::session& session,
                                                            std::int64_t tenant_id,
                                                            std::int64_t channel_id);
// Name, config, secret and updated_at. NotFound, Conflict (name taken).
[[nodiscard]] Status UpdateAlertChannelRow(soci::session& session,
                                           const AlertChannelRecord& channel);
[[nodiscard]] Status DeleteAlertChannelRow(soci::session& session, std::int64_t tenant_id,
                                           std::int64_t channel_id);

// InvalidInput when a channel id is not one of the tenant's; Conflict when the name is taken.
[[nodiscard]] Result<std::int64_t> InsertAlertRule(soci::session& session,
                                                   const AlertRuleRecord& rule);
// The tenant's rules by id.
[[nodiscard]] std::vector<AlertRuleRecord> SelectAlertRules(soci::session& session,
                                                            std::int64_t tenant_id);
// Every tenant's enabled rules of this frequency, by id.
[[nodiscard]] std::vector<AlertRuleRecord> SelectEnabledAlertRules(soci::session& session,
                                                                   AlertFrequency frequency);
[[nodiscard]] Result<AlertRuleRecord> SelectAlertRule(soci::session& session,
                                                      std::int64_t tenant_id, std::int64_t rule_id);
// Everything but the id, tenant and created_at; the channels replaced. NotFound, InvalidInput,
// Conflict as for InsertAlertRule.
[[nodiscard]] Status UpdateAlertRuleRow(soci::session& session, const AlertRuleRecord& rule);
[[nodiscard]] Status DeleteAlertRuleRow(soci::session& session, std::int64_t tenant_id,
                                        std::int64_t rule_id);

// Inserts the deliveries, skipping those of a rule whose (rule, key) already has a delivery;
// returns the new ids.
[[nodiscard]] std::vector<std::int64_t> InsertAlertDeliveries(
    soci::session& session, std::int64_t tenant_id,
    std::span<const AlertDeliveryRecord> deliveries);
// The tenant's deliveries, newest first.
[[nodiscard]] std::vector<AlertDeliveryRecord> SelectAlertDeliveries(
    soci::session& session, std::int64_t tenant_id, const AlertDeliveryFilter& filter);
[[nodiscard]] Result<AlertDeliveryRecord> SelectAlertDelivery(soci::session& session,
                                                              std::int64_t tenant_id,
                                                              std::int64_t delivery_id);
// Every tenant's pending deliveries due at `now`, oldest first.
[[nodiscard]] std::vector<AlertDeliveryRecord> SelectDueAlertDeliveries(soci::session& session,
                                                                        std::int64_t now,
                                                                        int limit);
// Moves a due pending delivery with `attempts` attempts to `lease_until`; false when another
// worker changed it first.
[[nodiscard]] bool ClaimAlertDeliveryRow(soci::session& session, std::int64_t delivery_id,
                                         int attempts, std::int64_t now, std::int64_t lease_until);
// Counts the attempt and records its outcome. NotFound when there is no such delivery.
[[nodiscard]] Status RecordAlertAttemptRow(soci::session& session, std::int64_t delivery_id,
                                           const AlertAttempt& attempt);

}  // namespace costwise::store
