// Named collect requests (collect: {requests: […]}): the pure parsers of each
// answer (segmented, truncated, garbage, hostile sizes) and the probes making
// or reusing them against scripted servers on 127.0.0.1.

#include <gtest/gtest.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "local_servers.h"
#include "probe_fixtures.h"
#include "scanner/probes/common/collected.h"
#include "scanner/probes/http/http_collect.h"
#include "scanner/probes/memcached/memcached_probe.h"
#include "scanner/probes/mongodb/bson_lite.h"
#include "scanner/probes/mongodb/mongodb_probe.h"
#include "scanner/probes/redis/redis_probe.h"
#include "test_sink.h"

namespace ciiscope::scanner {
namespace {

using nlohmann::json;
using testing::MemorySink;
using testing::ScriptServer;

const std::string kInfo =
    "# Server\r\nredis_version:7.0.15\r\nredis_mode:standalone\r\nos:Linux 6.1.0 x86_64\r\n\r\n"
    "# Clients\r\nconnected_clients:3\r\n\r\n# Replication\r\nrole:slave\r\nmaster_host:10.0.0.9\r\n"
    "master_port:6379\r\nmaster_repl_offset:-1\r\n\r\n"
    "# Keyspace\r\ndb0:keys=40,expires=1,avg_ttl=0\r\ndb12:keys=2,expires=0,avg_ttl=0\r\n";

std::string Bulk(const std::string& text) {
  return "$" + std::to_string(text.size()) + "\r\n" + text + "\r\n";
}

TEST(RedisInfoTest, ParsesTypedFieldsAndKeyspace) {
  json f = ParseRedisInfo(kInfo);
  EXPECT_EQ(f["redis_version"], "7.0.15");
  EXPECT_EQ(f["os"], "Linux 6.1.0 x86_64");
  EXPECT_EQ(f["connected_clients"], 3);
  EXPECT_EQ(f["role"], "slave");
  EXPECT_EQ(f["master_host"], "10.0.0.9");
  EXPECT_EQ(f["master_repl_offset"], -1);
  EXPECT_EQ(f["keyspace"]["db0"]["keys"], 40);
  EXPECT_EQ(f["keyspace"]["db12"]["expires"], 0);
  EXPECT_EQ(f["keys_total"], 42);
  EXPECT_FALSE(f.contains("# Server"));
}

// The reader stops when ParseRedisReply says complete: never before the
// whole reply, whatever the segmentation; any prefix parses without harm and
// agrees with the whole on every line it holds completely.
TEST(RedisInfoTest, EverySplitOfTheReply) {
  const std::string whole = Bulk(kInfo);
  EXPECT_TRUE(ParseRedisReply(whole).complete);
  const json want = RedisInfoFacts(whole, false, false);
  EXPECT_EQ(want["keys_total"], 42);
  EXPECT_EQ(want["truncated"], false);
  for (size_t i = 1; i < whole.size(); ++i) {
    const std::string prefix = whole.substr(0, i);
    EXPECT_FALSE(ParseRedisReply(prefix).complete) << i;
    json partial = RedisInfoFacts(prefix, true, false);
    const size_t line_end = prefix.rfind("\r\n");
    for (const auto& [key, value] : partial.items()) {
      if (key == "keyspace" || key == "keys_total" || key == "truncated" || key == "error") continue;
      // The last, unterminated line may be cut short.
      if (line_end != std::string::npos && prefix.find(key + ":", line_end) != std::string::npos) continue;
      EXPECT_EQ(value, want[key]) << key << " after " << i << " bytes";
    }
  }
}

TEST(RedisInfoTest, TruncatedReplyKeepsWhatArrived) {
  const std::string whole = Bulk(kInfo);
  json f = RedisInfoFacts(whole.substr(0, whole.find("# Replication")), true, false);
  EXPECT_EQ(f["truncated"], true);
  EXPECT_EQ(f["redis_version"], "7.0.15");
  EXPECT_EQ(f["connected_clients"], 3);
  EXPECT_FALSE(f.contains("role"));
  EXPECT_EQ(f["keys_total"], 0);
}

TEST(RedisInfoTest, RefusalsAndGarbage) {
  json noauth = RedisInfoFacts("-NOAUTH Authentication required.\r\n", false, false);
  EXPECT_EQ(noauth["auth_required"], true);
  EXPECT_EQ(noauth["error"], "NOAUTH Authentication required.");
  EXPECT_FALSE(noauth.contains("keys_total"));
  json denied = RedisInfoFacts("-DENIED Redis is running in protected mode\r\n", false, false);
  EXPECT_EQ(denied["auth_required"], false);
  EXPECT_EQ(RedisInfoFacts("HTTP/1.1 400 Bad Request\r\n", false, false)["error"], "not a RESP reply");
  EXPECT_EQ(RedisInfoFacts("", false, true)["timed_out"], true);
  EXPECT_TRUE(RedisInfoFacts(":12\r\n", false, false)["error"].get<std::string>().starts_with("unexpected"));
  // Binary junk inside a bulk string: printable, valid UTF-8, no crash.
  json junk = RedisInfoFacts(Bulk("a\xff\xfe:\x01\x02\r\nb:\xc3\r\n:x\r\ndb1:keys=zz\r\n"), false, false);
  EXPECT_TRUE(junk.dump().size() > 0);
  EXPECT_EQ(junk["keyspace"]["db1"]["keys"], "zz");
  EXPECT_EQ(junk["keys_total"], 0);
}

TEST(RedisInfoTest, HostileSizesAreCapped) {
  std::string text;
  for (int i = 0; i < 1000; ++i) text += "field" + std::to_string(i) + ":" + std::string(1000, 'v') + "\r\n";
  for (int i = 0; i < 100; ++i) text += "db" + std::to_string(i) + ":keys=1,expires=0\r\n";
  text += std::string(200, 'k') + ":long key\r\n";
  json f = ParseRedisInfo(text);
  EXPECT_EQ(f.size(), kMaxCollectKeys + 2);  // + keyspace, keys_total
  EXPECT_EQ(f["field0"].get<std::string>(), std::string(kMaxCollectValueBytes, 'v') + "…");
  EXPECT_EQ(f["keyspace"].size(), 64u);      // keyspace lines past the field cap still count
  EXPECT_EQ(f["keys_total"], 64);
  // A server cannot overwrite the fields the parser computes.
  json spoof = ParseRedisInfo("keys_total:999\r\nkeyspace:x\r\ntruncated:1\r\n");
  EXPECT_EQ(spoof["keys_total"], 0);
  EXPECT_TRUE(spoof["keyspace"].is_object());
  EXPECT_FALSE(spoof.contains("truncated"));
}

TEST(CollectedTest, ScalarsAndBoundedJson) {
  EXPECT_EQ(CollectScalar("42"), 42);
  EXPECT_EQ(CollectScalar("-7"), -7);
  EXPECT_EQ(CollectScalar("007"), 7);
  EXPECT_EQ(CollectScalar("1.5"), "1.5");
  EXPECT_EQ(CollectScalar("-"), "-");
  EXPECT_EQ(CollectScalar(""), "");
  EXPECT_EQ(CollectScalar("1234567890123456789"), "1234567890123456789");  // 19 digits: text
  EXPECT_EQ(CollectScalar("1.6.18"), "1.6.18");
  json deep = json::array();
  json* at = &deep;
  for (int i = 0; i < 10; ++i) {
    at->push_back(json::array());
    at = &(*at)[0];
  }
  EXPECT_LT(BoundedJson(deep).dump().size(), 20u);
  json wide = json::object();
  for (int i = 0; i < 1000; ++i) wide["k" + std::to_string(i)] = std::string(1000, 'x');
  json bounded = BoundedJson(wide);
  EXPECT_EQ(bounded.size(), kMaxCollectKeys);
  EXPECT_EQ(bounded.begin()->get<std::string>(), std::string(kMaxCollectValueBytes, 'x') + "…");
}

TEST(MemcachedStatsFactsTest, TypedValues) {
  MemcachedStats s = ParseMemcachedStats(
      "STAT pid 812\r\nSTAT version 1.6.18\r\nSTAT curr_items 42\r\nSTAT rusage_user 0.123\r\nEND\r\n");
  json f = MemcachedStatsFacts(s);
  EXPECT_EQ(f["pid"], 812);
  EXPECT_EQ(f["version"], "1.6.18");
  EXPECT_EQ(f["curr_items"], 42);
  EXPECT_EQ(f["rusage_user"], "0.123");
  EXPECT_EQ(MemcachedStatsFacts(ParseMemcachedStats("ERROR\r\n"))["error"], "ERROR");
  MemcachedStats spoof = ParseMemcachedStats("STAT error none\r\nSTAT " + std::string(100, 'k') + " 1\r\nEND\r\n");
  EXPECT_TRUE(MemcachedStatsFacts(spoof).empty());
}

std::string Doc(const std::string& body) {
  std::string doc;
  uint32_t len = static_cast<uint32_t>(body.size() + 5);
  for (int i = 0; i < 4; ++i) doc.push_back(static_cast<char>((len >> (8 * i)) & 0xff));
  return doc + body + std::string(1, '\0');
}

std::string StringElement(const std::string& name, const std::string& value) {
  std::string e = "\x02" + name + std::string(1, '\0');
  uint32_t len = static_cast<uint32_t>(value.size() + 1);
  for (int i = 0; i < 4; ++i) e.push_back(static_cast<char>((len >> (8 * i)) & 0xff));
  return e + value + std::string(1, '\0');
}

std::string ListDatabasesReply(const std::vector<std::string>& names) {
  std::string array;
  for (size_t i = 0; i < names.size(); ++i) {
    array += "\x03" + std::to_string(i) + std::string(1, '\0') +
             Doc(StringElement("name", names[i]) + std::string("\x08" "empty\0\x00", 8));
  }
  std::string body = "\x04" "databases" + std::string(1, '\0') + Doc(array);
  body.append("\x01ok\0\0\0\0\0\0\0\xf0\x3f", 12);
  return MongoReplyMsg(Doc(body));
}

TEST(MongoCollectTest, ListDatabasesNamesAtEverySplit) {
  const std::string whole = ListDatabasesReply({"admin", "config", "local", "students", "finance"});
  for (size_t i = 0; i < whole.size(); ++i) EXPECT_FALSE(ParseMongoReply(whole.substr(0, i)).complete) << i;
  json f = ListDatabasesFacts(ParseMongoReply(whole));
  EXPECT_EQ(f["ok"], 1.0);
  EXPECT_EQ(f["databases"], json({"admin", "config", "local", "students", "finance"}));
  EXPECT_EQ(f["database_count"], 5);
  EXPECT_EQ(f["user_databases"], 2);
  EXPECT_EQ(f["auth_required"], false);
}

TEST(MongoCollectTest, UnauthorizedAndGarbage) {
  std::string body = "\x01ok" + std::string(1, '\0') + std::string(8, '\0') +
                     StringElement("errmsg", "command listDatabases requires authentication") +
                     std::string("\x10" "code\0\x0d\0\0\0", 10);
  json f = ListDatabasesFacts(ParseMongoReply(MongoReplyMsg(Doc(body))));
  EXPECT_EQ(f["auth_required"], true);
  EXPECT_EQ(f["code"], 13);
  EXPECT_FALSE(f.contains("databases"));
  EXPECT_EQ(ListDatabasesFacts(ParseMongoReply("SSH-2.0-OpenSSH_9.2p1\r\n"))["error"], "not a MongoDB reply");
  std::string bad = ListDatabasesReply({"admin"});
  bad[40] = '\x7f';  // a length inside the array points past the end
  EXPECT_NO_THROW(ListDatabasesFacts(ParseMongoReply(bad)));
}

TEST(MongoCollectTest, ListDatabasesCommandHasNameOnly) {
  BsonFields f = ReadBsonTopLevel(BsonCommand("listDatabases", "admin", "nameOnly"));
  ASSERT_TRUE(f.ok);
  EXPECT_EQ(f.fields["listDatabases"], 1);
  EXPECT_EQ(f.fields["nameOnly"], true);
  EXPECT_EQ(f.fields["$db"], "admin");
}

HttpResponse Response(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.complete = true;
  return r;
}

TEST(ElasticsearchRootTest, ClusterRootAndRefusal) {
  json f = ElasticsearchRootFacts(Response(
      200, R"({"name":"node-1","cluster_name":"edu-logs","cluster_uuid":"u","version":{"number":"7.10.2",)"
           R"("build_flavor":"default","lucene_version":"8.7.0"},"tagline":"You Know, for Search","extra":1})"));
  EXPECT_EQ(f["cluster_name"], "edu-logs");
  EXPECT_EQ(f["version"]["number"], "7.10.2");
  EXPECT_EQ(f["auth_required"], false);
  EXPECT_FALSE(f.contains("extra"));
  HttpResponse refused = Response(401, R"({"error":{"type":"security_exception"}})");
  EXPECT_EQ(ElasticsearchRootFacts(refused), json({{"status", 401}, {"auth_required", true}}));
}

TEST(ElasticsearchRootTest, NotElasticsearch) {
  EXPECT_TRUE(ElasticsearchRootFacts(Response(200, "<html>hi</html>")).is_null());
  EXPECT_TRUE(ElasticsearchRootFacts(Response(200, R"({"cluster_name":"x"})")).is_null());  // no version
  EXPECT_TRUE(ElasticsearchRootFacts(Response(200, R"({"cluster_name":"x","version":{"number":)")).is_null());
  EXPECT_TRUE(ElasticsearchRootFacts(Response(401, "Unauthorized")).is_null());
  HttpResponse truncated = Response(200, R"({"cluster_name":"x","version":{"number":"7"}})");
  truncated.truncated = true;
  EXPECT_TRUE(ElasticsearchRootFacts(truncated).is_null());
  // Deep nesting is refused before parsing; brackets inside strings do not count.
  std::string deep = R"({"cluster_name":"x","version":{"number":"7"},"a":)" + std::string(5000, '[') +
                     std::string(5000, ']') + "}";
  EXPECT_TRUE(ElasticsearchRootFacts(Response(200, deep)).is_null());
  std::string brackets = R"({"cluster_name":"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[","version":{"number":"8.1"}})";
  EXPECT_EQ(ElasticsearchRootFacts(Response(200, brackets))["version"]["number"], "8.1");
}

// The probes with a collect plan, against scripted servers.
struct PlanRun {
  std::vector<json> collect;
  std::vector<json> probe;
  std::string received;
};

PlanRun RunWithPlan(std::string_view probe_name, ScriptServer& server, std::vector<std::string> named) {
  ProbeRegistry registry;
  RegisterBuiltinProbes(registry);
  MemorySink sink;
  std::atomic<bool> stop{false};
  HttpCollectPlan plan;
  plan.named = std::move(named);
  ProbeContext ctx = LoopbackProbeContext(server.port(), sink, stop);
  ctx.http_collect = plan.empty() ? nullptr : &plan;
  asio::io_context io(1);
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { co_await registry.Find(probe_name)->Run(ctx); }, asio::detached);
  io.run_for(std::chrono::seconds(10));
  PlanRun out;
  for (const auto& o : sink.Find("collect", server.port())) out.collect.push_back(json::parse(o.data_json));
  for (const auto& o : sink.Find("probe", server.port())) out.probe.push_back(json::parse(o.data_json));
  out.received = server.received();
  return out;
}

// The mongodb probe's hello evidence (isMaster, then buildInfo).
std::string IsMasterReply() {
  return MongoReplyMsg(Doc(std::string("\x08" "ismaster\0\x01", 11) + std::string("\x01ok\0\0\0\0\0\0\0\xf0\x3f", 12)));
}

TEST(MongoHelloProbeTest, AnsweredBuildInfoClaimsNothingAboutAuthentication) {
  ScriptServer server("", {{"", IsMasterReply()},
                           {"", MongoReplyMsg(Doc(StringElement("version", "7.0.4") +
                                                  std::string("\x01ok\0\0\0\0\0\0\0\xf0\x3f", 12)))}});
  PlanRun r = RunWithPlan("mongodb", server, {});
  ASSERT_EQ(r.probe.size(), 1u);
  const json& data = r.probe[0];
  EXPECT_EQ(data["probe"], "mongodb-hello") << data.dump();
  EXPECT_EQ(data["version"], "7.0.4") << data.dump();
  EXPECT_FALSE(data.contains("auth_required")) << data.dump();
}

TEST(MongoHelloProbeTest, BuildInfoRefusedForAuthenticationSaysSo) {
  ScriptServer server("", {{"", IsMasterReply()},
                           {"", MongoReplyMsg(Doc(std::string("\x01ok\0\0\0\0\0\0\0\0\0", 12) +
                                                  StringElement("errmsg", "command buildInfo requires authentication") +
                                                  std::string("\x10" "code\0\x0d\0\0\0", 10)))}});
  PlanRun r = RunWithPlan("mongodb", server, {});
  ASSERT_EQ(r.probe.size(), 1u);
  const json& data = r.probe[0];
  EXPECT_EQ(data["auth_required"], true) << data.dump();
  EXPECT_FALSE(data.contains("version")) << data.dump();
}

TEST(RedisCollectProbeTest, SendsInfoOnlyWhenAsked) {
  ScriptServer asked("", {{"INFO server", Bulk("# Server\r\nredis_version:7.0.15\r\n")}, {"INFO", Bulk(kInfo)}});
  PlanRun r = RunWithPlan("redis", asked, {"redis-info"});
  EXPECT_EQ(r.received, "INFO server\r\nINFO\r\n");
  ASSERT_EQ(r.collect.size(), 1u);
  EXPECT_EQ(r.collect[0]["request"], "redis-info");
  EXPECT_EQ(r.collect[0]["keys_total"], 42);
  EXPECT_EQ(r.collect[0]["role"], "slave");
  EXPECT_EQ(r.collect[0]["timed_out"], false);

  ScriptServer other("", {{"INFO server", Bulk("# Server\r\nredis_version:7.0.15\r\n")}, {"INFO", Bulk(kInfo)}});
  PlanRun none = RunWithPlan("redis", other, {"memcached-stats"});
  EXPECT_EQ(none.received, "INFO server\r\n");
  EXPECT_TRUE(none.collect.empty());
}

TEST(RedisCollectProbeTest, RefusalIsNotAskedTwice) {
  ScriptServer server("", {{"INFO server", "-NOAUTH Authentication required.\r\n"}});
  PlanRun r = RunWithPlan("redis", server, {"redis-info"});
  EXPECT_EQ(r.received, "INFO server\r\n");
  ASSERT_EQ(r.collect.size(), 1u);
  EXPECT_EQ(r.collect[0]["auth_required"], true);
}

TEST(MemcachedCollectProbeTest, ReusesTheStatsAnswer) {
  ScriptServer server("", {{"version", "VERSION 1.6.18\r\n"},
                           {"stats", "STAT pid 7\r\nSTAT curr_items 5\r\nEND\r\n"}});
  PlanRun r = RunWithPlan("memcached", server, {"memcached-stats"});
  EXPECT_EQ(r.received, "version\r\nstats\r\n");  // nothing extra on the wire
  ASSERT_EQ(r.collect.size(), 1u);
  EXPECT_EQ(r.collect[0]["curr_items"], 5);
  EXPECT_EQ(r.collect[0]["truncated"], false);
}

}  // namespace
}  // namespace ciiscope::scanner
