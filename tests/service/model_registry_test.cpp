// The model registry's params: the engine version first, so that a new engine is a new model.
#include "service/model_registry.h"

#include <gtest/gtest.h>

namespace costwise::service {
namespace {

TEST(RegistryParamsTest, PutsTheEngineFirst) {
  EXPECT_EQ(RegistryParams("forecaster/1", R"({"horizon":30})"),
            R"({"engine":"forecaster/1","horizon":30})");
  EXPECT_EQ(RegistryParams("rightsizing/1", "{}"), R"({"engine":"rightsizing/1"})");
  EXPECT_EQ(RegistryParams("rightsizing/1", "{ }"), R"({"engine":"rightsizing/1"})");
  EXPECT_EQ(RegistryParams("rightsizing/1", ""), R"({"engine":"rightsizing/1"})");
}

TEST(ModelVersionLabelTest, IsTypeSlashVersion) {
  store::TenantModel model;
  model.model_type = "series-detector";
  model.version = 3;
  EXPECT_EQ(ModelVersionLabel(model), "series-detector/3");
}

}  // namespace
}  // namespace costwise::service
