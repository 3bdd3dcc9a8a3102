#pragma once
// Test helper: feeds a reply to a pure parser at every split point.
#include <gtest/gtest.h>

#include <string_view>

namespace ciiscope::scanner {

// Every proper prefix of `whole` is incomplete; `whole` is complete.
template <typename Parse>
void ExpectCompleteOnlyWhole(std::string_view whole, Parse parse) {
  for (size_t i = 0; i < whole.size(); ++i) {
    EXPECT_FALSE(parse(whole.substr(0, i)).complete) << "complete after " << i << " bytes";
  }
  EXPECT_TRUE(parse(whole).complete);
}

}  // namespace ciiscope::scanner
