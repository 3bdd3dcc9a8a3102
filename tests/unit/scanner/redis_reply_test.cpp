#include <gtest/gtest.h>

#include "scanner/probes/probe.h"
#include "scanner/probes/redis/redis_probe.h"

namespace ciiscope::scanner {
namespace {

TEST(RedisReplyTest, BulkStringCompleteOnlyWithAllBytes) {
  std::string reply = "$31\r\n# Server\r\nredis_version:5.0.7\r\n\r\n";
  auto partial = ParseRedisReply(std::string_view(reply).substr(0, 20));
  EXPECT_TRUE(partial.is_resp);
  EXPECT_FALSE(partial.complete);
  auto whole = ParseRedisReply(reply);
  EXPECT_TRUE(whole.complete);
  EXPECT_EQ(whole.text, "# Server\r\nredis_version:5.0.7\r\n");
  EXPECT_FALSE(ParseRedisReply(std::string_view(reply).substr(0, reply.size() - 1)).complete);
}

TEST(RedisReplyTest, ErrorLineIsTheText) {
  auto r = ParseRedisReply("-NOAUTH Authentication required.\r\n");
  EXPECT_TRUE(r.is_resp);
  EXPECT_TRUE(r.complete);
  EXPECT_EQ(r.text, "-NOAUTH Authentication required.");
}

TEST(RedisReplyTest, NotRedis) {
  auto r = ParseRedisReply("HTTP/1.1 400 Bad Request\r\n");
  EXPECT_FALSE(r.is_resp);
  EXPECT_FALSE(ParseRedisReply("$abc\r\n").is_resp);
}

TEST(ProbeRegistryTest, BuiltinsAndHints) {
  ProbeRegistry registry;
  RegisterBuiltinProbes(registry);
  EXPECT_EQ(registry.Names(),
            (std::vector<std::string>{"null", "http", "tls", "redis", "ssh", "ftp", "smtp", "pop3",
                                      "imap", "mysql", "postgres", "mongodb", "memcached",
                                      "telnet", "ldap", "rdp", "smb", "dns"}));
  ASSERT_NE(registry.Find("redis"), nullptr);
  EXPECT_EQ(registry.Find("redis")->port_hints(), std::vector<uint16_t>{6379});
  EXPECT_EQ(registry.Find("nope"), nullptr);
  EXPECT_TRUE(LooksLikeTls(std::string("\x15\x03\x01\x00\x02\x02\x46", 7)));
  EXPECT_FALSE(LooksLikeTls("SSH-2.0"));
}

}  // namespace
}  // namespace ciiscope::scanner
