#include "store/tag_sets.h"

#include "core/tags.h"
#include "store/pg_copy.h"
#include "store/soci_includes.h"

namespace costwise::store {
namespace {

constexpr std::size_t kSqliteBatchRows = 10'000;

struct NewTagSet {
  std::int64_t id = 0;
  Tags tags;  // canonical
};

// Loads the tenant's existing tag sets: canonical JSON to id.
std::unordered_map<std::string, std::int64_t> LoadTagSets(soci::session& session,
                                                          std::int64_t tenant_id) {
  std::unordered_map<std::string, std::int64_t> ids;
  const long long tenant = tenant_id;
  long long id = 0;
  std::string json;
  soci::statement statement =
      (session.prepare << "SELECT id, tags_json FROM tag_sets WHERE tenant_id = :tenant",
       soci::use(tenant, "tenant"), soci::into(id), soci::into(json));
  statement.execute();
  while (statement.fetch()) ids.emplace(json, id);
  return ids;
}

void InsertTagValuesSqlite(soci::session& session, std::span<const NewTagSet> sets) {
  std::vector<long long> set_ids;
  std::vector<std::string> keys;
  std::vector<std::string> values;
  soci::statement statement =
      (session.prepare << "INSERT INTO tag_values (tag_set_id, key, value) "
                          "VALUES (:tag_set_id, :key, :value)",
       soci::use(set_ids, "tag_set_id"), soci::use(keys, "key"), soci::use(values, "value"));
  const auto flush = [&] {
    if (set_ids.empty()) return;
    statement.execute(true);
    set_ids.clear();
    keys.clear();
    values.clear();
  };
  for (const NewTagSet& set : sets) {
    for (const Tag& tag : set.tags) {
      set_ids.push_back(set.id);
      keys.push_back(tag.key);
      values.push_back(tag.value);
      if (set_ids.size() == kSqliteBatchRows) flush();
    }
  }
  flush();
}

void InsertTagValuesPostgres(soci::session& session, std::span<const NewTagSet> sets) {
  PgCopyWriter copy(session, "tag_values", "tag_set_id, key, value");
  for (const NewTagSet& set : sets) {
    for (const Tag& tag : set.tags) {
      copy.Integer(set.id);
      copy.Text(tag.key);
      copy.Text(tag.value);
      copy.EndRow();
    }
  }
  copy.Finish();
}

}  // namespace

bool IsCanonical(const Tags& tags) {
  for (std::size_t i = 0; i < tags.size(); ++i) {
    if (tags[i].key.empty() || tags[i].value.empty()) return false;
    if (i > 0 && !(tags[i - 1].key < tags[i].key)) return false;
  }
  return true;
}

TagSetResolver::TagSetResolver(soci::session& session, Backend backend, std::int64_t tenant_id)
    : session_(session), backend_(backend), tenant_id_(tenant_id) {}

std::vector<std::int64_t> TagSetResolver::Resolve(std::span<const CubeRow> rows) {
  std::vector<std::int64_t> row_ids(rows.size(), kUntaggedTagSetId);
  bool any_tags = false;
  for (const CubeRow& row : rows) any_tags |= !row.tags.empty();
  if (!any_tags) return row_ids;
  if (!loaded_) {
    ids_ = LoadTagSets(session_, tenant_id_);
    loaded_ = true;
  }

  const long long tenant = tenant_id_;
  std::string insert_json;
  long long inserted_id = 0;
  soci::statement insert =
      (session_.prepare << "INSERT INTO tag_sets (tenant_id, tags_json) VALUES (:tenant, :json) "
                           "RETURNING id",
       soci::use(tenant, "tenant"), soci::use(insert_json, "json"), soci::into(inserted_id));
  std::vector<NewTagSet> new_sets;
  // Rows of one resource come in runs with equal tags: remember the last answer.
  const Tags* previous_tags = nullptr;
  std::int64_t previous_id = kUntaggedTagSetId;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Tags& tags = rows[i].tags;
    if (tags.empty()) continue;
    if (previous_tags != nullptr && *previous_tags == tags) {
      row_ids[i] = previous_id;
      continue;
    }
    const Tags* canonical = &tags;
    Tags sorted;
    if (!IsCanonical(tags)) {
      sorted = tags;
      Canonicalize(sorted);
      canonical = &sorted;
    }
    std::int64_t id = kUntaggedTagSetId;
    if (!canonical->empty()) {
      std::string json = CanonicalTagsJson(*canonical);
      if (const auto found = ids_.find(json); found != ids_.end()) {
        id = found->second;
      } else {
        insert_json = json;
        insert.execute(true);
        id = inserted_id;
        ids_.emplace(std::move(json), id);
        new_sets.push_back(NewTagSet{id, *canonical});
      }
    }
    row_ids[i] = id;
    previous_tags = &tags;
    previous_id = id;
  }
  if (new_sets.empty()) return row_ids;
  if (backend_ == Backend::kSqlite) {
    InsertTagValuesSqlite(session_, new_sets);
  } else {
    InsertTagValuesPostgres(session_, new_sets);
  }
  return row_ids;
}

}  // namespace costwise::store
