#include "store/transaction.h"

#include "store/soci_includes.h"

namespace costwise::store {
namespace {

// The first key of every costwise advisory lock ("CoSt"), so that other applications sharing the
// database are unlikely to collide with ours.
constexpr int kAdvisoryLockNamespace = 0x436f5374;
constexpr std::int64_t kInt32Mask = 0x7fffffff;

}  // namespace

Transaction::Transaction(soci::session& session, Backend backend) : session_(session) {
  if (backend == Backend::kSqlite) {
    session_ << "BEGIN IMMEDIATE";
  } else {
    session_.begin();
  }
}

Transaction::~Transaction() {
  if (!open_) return;
  try {
    session_.rollback();
  } catch (...) {  // NOLINT(bugprone-empty-catch): the failure being unwound is the one to report
  }
}

void Transaction::Commit() {
  session_.commit();  // when this throws, the destructor rolls back
  open_ = false;
}

void LockForTransaction(soci::session& session, Backend backend, LockKind kind, std::int64_t id) {
  if (backend != Backend::kPostgresql) return;
  // The two-int4 form: (namespace, kind << 24 | low bits of id). Ids colliding in the low bits
  // only share a lock, which serializes them a little more than needed and is still correct.
  const int key =
      static_cast<int>((static_cast<std::int64_t>(kind) << 24 | (id & 0xffffff)) & kInt32Mask);
  int locked = 0;
  session << "SELECT 1 FROM (SELECT pg_advisory_xact_lock(:space, :key)) AS lock_taken",
      soci::use(kAdvisoryLockNamespace, "space"), soci::use(key, "key"), soci::into(locked);
}

}  // namespace costwise::store
