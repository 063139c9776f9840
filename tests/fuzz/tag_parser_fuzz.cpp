// libFuzzer target for ParseTagMap (FOCUS Tags, CUR 2.0 resource_tags and product maps: JSON
// objects or Presto map text). Besides memory errors it checks that decoding never outgrows the
// input, so storage reserved to the input's size (as RowMapper does for the product map, the
// tightest of its callers) never reallocates and every returned view stays valid; that views lie
// in the input or in the decoded storage; that pairs already in `out` are left alone; and that
// parsing is deterministic.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fuzz_check.h"
#include "ingest/tag_parser.h"

namespace {

using Pairs = std::vector<std::pair<std::string_view, std::string_view>>;
constexpr std::string_view kEarlierKey = "earlier";
constexpr std::string_view kEarlierValue = "pair";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using costwise::fuzz::ViewInside;
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  std::string storage;
  storage.reserve(text.size() + 1);
  const char* const storage_data = storage.data();
  Pairs pairs = {{kEarlierKey, kEarlierValue}};
  const bool ok = costwise::ingest::ParseTagMap(text, storage, pairs);

  COSTWISE_FUZZ_CHECK(storage.data() == storage_data);
  COSTWISE_FUZZ_CHECK(storage.size() <= text.size());
  COSTWISE_FUZZ_CHECK(!pairs.empty());
  COSTWISE_FUZZ_CHECK(pairs.front().first.data() == kEarlierKey.data());
  COSTWISE_FUZZ_CHECK(pairs.front().second.data() == kEarlierValue.data());
  std::vector<std::pair<std::string, std::string>> copies;
  for (std::size_t i = 1; i < pairs.size(); ++i) {
    const auto& [key, value] = pairs[i];
    for (const std::string_view view : {key, value}) {
      COSTWISE_FUZZ_CHECK(ViewInside(view, text.data(), text.size()) ||
                          ViewInside(view, storage.data(), storage.size()));
    }
    copies.emplace_back(key, value);
  }

  // Same input, same answer, also with storage that already holds text.
  std::string storage_again = "previous";
  storage_again.reserve(storage_again.size() + text.size() * 2);
  Pairs again;
  COSTWISE_FUZZ_CHECK(costwise::ingest::ParseTagMap(text, storage_again, again) == ok);
  if (ok) {
    COSTWISE_FUZZ_CHECK(again.size() + 1 == pairs.size());
    for (std::size_t i = 0; i < again.size(); ++i) {
      COSTWISE_FUZZ_CHECK(again[i].first == copies[i].first);
      COSTWISE_FUZZ_CHECK(again[i].second == copies[i].second);
    }
  }
  return 0;
}
