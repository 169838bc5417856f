// store/base/deterministic.h: one serialization for bytes that are compared
// or hashed.
#include "store/base/deterministic.h"

#include "gtest/gtest.h"

#include "google/protobuf/struct.pb.h"

namespace carelog {
namespace {

TEST(DeterministicTest, ParsesBackToTheSameMessage) {
  google::protobuf::Struct e;
  (*e.mutable_fields())["eventId"].set_string_value("e-1");
  (*e.mutable_fields())["seconds"].set_number_value(1700000000);
  const std::string bytes = DeterministicBytes(e);
  google::protobuf::Struct back;
  ASSERT_TRUE(back.ParseFromString(bytes));
  EXPECT_EQ(DeterministicBytes(back), bytes);
  EXPECT_EQ(back.fields().at("eventId").string_value(), "e-1");
}

TEST(DeterministicTest, MapOrderDoesNotChangeTheBytes) {
  google::protobuf::Struct a, b;
  for (const char* k : {"zeta", "alpha", "mid", "beta"}) (*a.mutable_fields())[k].set_string_value(k);
  for (const char* k : {"beta", "mid", "alpha", "zeta"}) (*b.mutable_fields())[k].set_string_value(k);
  EXPECT_EQ(DeterministicBytes(a), DeterministicBytes(b));
  EXPECT_EQ(DeterministicBytes(google::protobuf::Struct()), "");
}

}  // namespace
}  // namespace carelog
