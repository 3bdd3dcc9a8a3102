#include "core/result.h"

#include <gtest/gtest.h>

#include <memory>

namespace ciiscope {
namespace {

Result<int> Half(int x) {
  if (x % 2) return Error(ErrorCode::kInvalidArgument, "odd");
  return x / 2;
}

Result<int> Quarter(int x) {
  CII_ASSIGN_OR_RETURN(int h, Half(x));
  CII_ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

Status Check(int x) {
  CII_RETURN_IF_ERROR(Half(x));
  return Ok();
}

TEST(ResultTest, PropagatesErrors) {
  EXPECT_EQ(*Quarter(8), 2);
  auto r = Quarter(6);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.error().WithContext("quarter").message(), "quarter: odd");
  EXPECT_TRUE(Check(2).has_value());
  EXPECT_FALSE(Check(3).has_value());
  EXPECT_EQ(Half(3).value_or(-1), -1);
}

TEST(ResultTest, HoldsMoveOnlyValues) {
  Result<std::unique_ptr<int>> r = std::make_unique<int>(5);
  ASSERT_TRUE(r.has_value());
  std::unique_ptr<int> p = std::move(r).value();
  EXPECT_EQ(*p, 5);
}

}  // namespace
}  // namespace ciiscope
