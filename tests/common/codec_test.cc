#include <gtest/gtest.h>

#include "core/proto/message.h"
#include "sim/example/example_messages.h"

namespace pg {
namespace {

TEST(Codec, MessageRoundTrips) {
  const Message m =
      Host(RegisterReply{.request_id = 7, .error = ErrorCode::kTimeout, .value = "v1"});
  const std::string bytes = Encode(m);
  auto back = Decode<Message>(bytes);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, m);
}

TEST(Codec, TruncatedInputIsCorruptionNotCrash) {
  const std::string bytes = Encode(Message(Host(Ping{.seq = 9, .payload = "hello"})));
  for (size_t n = 0; n < bytes.size(); ++n) {
    auto back = Decode<Message>(bytes.substr(0, n));
    EXPECT_FALSE(back.ok()) << "prefix of " << n << " bytes decoded";
    EXPECT_EQ(back.status().code(), ErrorCode::kCorruption);
  }
}

TEST(Codec, UnknownVariantIndexIsRejected) {
  std::string bytes;
  Encoder(&bytes).PutVarint(200);
  EXPECT_FALSE(Decode<Message>(bytes).ok());
}

TEST(Codec, DebugStringNamesFields) {
  EXPECT_EQ(DebugString(Ping{.seq = 3, .payload = "ab"}), "Ping{seq=3, payload=\"ab\"}");
}

}  // namespace
}  // namespace pg
