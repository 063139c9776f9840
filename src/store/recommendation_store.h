#pragma once
// The SQL of stored right-sizing recommendations (recommendations, schema version 4). Every
// function runs in the caller's session, inside its transaction when one is open, and throws SOCI
// errors.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/error.h"
#include "core/resource_recommendation.h"
#include "store/repository.h"

namespace soci {
class session;
}  // namespace soci

namespace costwise::store {

// A run's recommendations replace the tenant's open ones (Repository::ReplaceRecommendations);
// returns their ids in order. The recommendations' actions must be unique (checked by the
// caller).
[[nodiscard]] std::vector<std::int64_t> MergeRecommendations(
    soci::session& session, std::int64_t tenant_id,
    std::span<const ResourceRecommendation> recommendations, std::int64_t now);

// Which of a tenant's recommendations to read: one by id, or all with a status (or all).
struct RecommendationSelection {
  std::optional<std::int64_t> id;
  std::optional<RecommendationStatus> status;
};

// Largest monthly savings first, then by id. Internal error for a row the reader does not
// understand.
[[nodiscard]] Result<std::vector<ResourceRecommendation>> ReadRecommendations(
    soci::session& session, std::int64_t tenant_id, const RecommendationSelection& selection);

// False when the tenant has no recommendation with this id.
[[nodiscard]] bool WriteRecommendationStatus(soci::session& session, std::int64_t tenant_id,
                                             std::int64_t recommendation_id,
                                             RecommendationStatus status,
                                             std::optional<std::int64_t> snoozed_until,
                                             std::int64_t at);

// Stores an apply request on one of the tenant's recommendations; empty when the tenant has no
// recommendation with that id (schema version 9).
[[nodiscard]] std::optional<std::int64_t> InsertRecommendationAction(
    soci::session& session, std::int64_t tenant_id, const RecommendationActionRecord& action);

// The requests on the recommendation, newest first, with the requesting user's email.
// Rewrites an apply request's plan and outcome; false when the tenant has no such request.
[[nodiscard]] bool UpdateRecommendationActionRow(soci::session& session, std::int64_t tenant_id,
                                                 std::int64_t action_id, const std::string& plan,
                                                 const std::string& outcome);
[[nodiscard]] std::vector<RecommendationActionRecord> ReadRecommendationActions(
    soci::session& session, std::int64_t tenant_id, std::int64_t recommendation_id);

}  // namespace costwise::store
