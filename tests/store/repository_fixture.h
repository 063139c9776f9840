#pragma once
// The store tests' fixture: each test gets a fresh database of the parameter's backend (SQLite
// or PostgreSQL, test_databases.h), opened through the repository.
#include <memory>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "store/repository.h"
#include "test_databases.h"

namespace costwise::store::testing {

// "sqlite" or "postgresql" in the parameterised tests' names.
inline std::string BackendParamName(const ::testing::TestParamInfo<Backend>& info) {
  return std::string(BackendName(info.param));
}

class BackendRepositoryTest : public ::testing::TestWithParam<Backend> {
 protected:
  // Derived fixtures call this first and return when HasFatalFailure().
  void SetUp() override {
    std::string error;
    database_ = TestDatabase::Create(GetParam(), &error);
    if (!database_) GTEST_FAIL() << error;
    OpenRepositoryOrFail();
  }

  // (Re)opens the repository on the test's database.
  void OpenRepositoryOrFail() {
    auto opened = OpenRepository(database_->url());
    ASSERT_TRUE(opened) << opened.error().message;
    repository_ = std::move(*opened);
  }

  // The id of a tenant, created when missing.
  std::int64_t Tenant(std::string_view name) {
    const auto tenant = repository_->EnsureTenant(name);
    EXPECT_TRUE(tenant) << tenant.error().message;
    return tenant ? tenant->id : 0;
  }

  std::unique_ptr<TestDatabase> database_;
  std::unique_ptr<Repository> repository_;
};

}  // namespace costwise::store::testing
