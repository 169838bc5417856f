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

// The bytes are written into a buffer sized first: a message far larger
// than any stream block must come out whole, and equal to protobuf's own
// serialization when no map makes the order a choice.
TEST(DeterministicTest, ALargeMessageComesOutWholeAsProtobufWritesIt) {
  google::protobuf::Value v;
  std::string big(3 << 20, 'x');
  for (size_t i = 0; i < big.size(); i += 4093) big[i] = static_cast<char>('a' + i % 26);
  v.set_string_value(big);
  const std::string bytes = DeterministicBytes(v);
  EXPECT_EQ(bytes.size(), v.ByteSizeLong());
  EXPECT_EQ(bytes, v.SerializeAsString());
  google::protobuf::Value back;
  ASSERT_TRUE(back.ParseFromString(bytes));
  EXPECT_EQ(back.string_value(), big);
}

}  // namespace
}  // namespace carelog
