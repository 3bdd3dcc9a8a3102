// Evidence ingest and the reads built on it.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "inventory/store/store.h"
#include "store_test_util.h"

namespace ciiscope::inventory {
namespace {

using testing::Obs;
using testing::OpenOrDie;
using testing::RawDb;
using testing::TempDir;

class StoreIngestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.File("ingest.db");
    store_ = OpenOrDie(path_);
    ASSERT_NE(store_, nullptr);
    scan_ = testing::NewScan(*store_);
  }

  TempDir dir_;
  std::string path_;
  std::unique_ptr<Store> store_;
  int64_t scan_ = 0;
};

TEST_F(StoreIngestTest, CreatesAssetsServicesAndEvidence) {
  Observation host = Obs("10.0.0.2", 0, "host_up", "", 1000);
  host.hostname = "portal.example.edu.cn";
  Observation banner = Obs("10.0.0.2", 22, "banner", "", 1200);
  banner.data_json = R"({"text":"SSH-2.0-OpenSSH_8.4"})";
  banner.raw = "SSH-2.0-OpenSSH_8.4\r\n";
  std::vector<Observation> batch = {
      host,
      Obs("10.0.0.2", 22, "port_state", "open", 1100),
      banner,
      Obs("10.0.0.10", 80, "port_state", "closed", 1300),
      Obs("10.0.0.2", 443, "http", "", 1400),  // no port_state: implies open
  };
  ASSERT_TRUE(store_->RecordObservations(scan_, batch));

  auto assets = store_->ListAssets();
  ASSERT_TRUE(assets);
  ASSERT_EQ(assets->size(), 2u);
  // Numeric address order: .2 before .10.
  EXPECT_EQ((*assets)[0].address, "10.0.0.2");
  EXPECT_EQ((*assets)[1].address, "10.0.0.10");
  EXPECT_EQ((*assets)[0].hostnames, std::vector<std::string>{"portal.example.edu.cn"});
  EXPECT_EQ((*assets)[0].first_seen, 1000);
  EXPECT_EQ((*assets)[0].last_seen, 1400);

  auto services = store_->ListServices();
  ASSERT_TRUE(services);
  ASSERT_EQ(services->size(), 3u);
  EXPECT_EQ((*services)[0].port, 22);
  EXPECT_EQ((*services)[0].state, "open");
  EXPECT_EQ((*services)[0].transport, "tcp");
  EXPECT_EQ((*services)[0].address, "10.0.0.2");
  EXPECT_EQ((*services)[1].port, 443);
  EXPECT_EQ((*services)[1].state, "open");
  EXPECT_EQ((*services)[2].port, 80);
  EXPECT_EQ((*services)[2].state, "closed");
  EXPECT_EQ((*services)[2].address, "10.0.0.10");

  auto only_first = store_->ListServices((*assets)[0].id);
  ASSERT_TRUE(only_first);
  EXPECT_EQ(only_first->size(), 2u);

  auto evidence = store_->ListEvidence(scan_, (*assets)[0].id);
  ASSERT_TRUE(evidence);
  ASSERT_EQ(evidence->size(), 4u);
  EXPECT_EQ((*evidence)[0].kind, "host_up");
  EXPECT_EQ((*evidence)[0].service_id, 0);
  EXPECT_EQ((*evidence)[2].kind, "banner");
  EXPECT_EQ((*evidence)[2].raw, "SSH-2.0-OpenSSH_8.4\r\n");
  EXPECT_EQ((*evidence)[2].data_json, R"({"text":"SSH-2.0-OpenSSH_8.4"})");
  EXPECT_EQ((*evidence)[2].service_id, (*services)[0].id);
  EXPECT_EQ((*evidence)[2].scan_id, scan_);
  EXPECT_EQ((*evidence)[2].time, 1200);

  RawDb raw(path_);
  EXPECT_EQ(raw.Int("SELECT COUNT(*) FROM evidence"), 5);
  EXPECT_EQ(raw.Int("SELECT COUNT(*) FROM evidence WHERE service_id IS NULL"), 1);
}

TEST_F(StoreIngestTest, LaterBatchesMergeAndUpdate) {
  Observation first = Obs("192.0.2.7", 3306, "port_state", "open", 1000);
  first.hostname = "db.example.edu.cn";
  ASSERT_TRUE(store_->RecordObservations(scan_, {first}));

  int64_t scan2 = testing::NewScan(*store_, "second");
  Observation again = Obs("192.0.2.7", 3306, "port_state", "filtered", 5000);
  again.hostname = "mysql.example.edu.cn";
  Observation same_name = Obs("192.0.2.7", 0, "host_up", "", 4000);
  same_name.hostname = "db.example.edu.cn";
  ASSERT_TRUE(store_->RecordObservations(scan2, {again, same_name}));

  auto assets = store_->ListAssets();
  ASSERT_TRUE(assets);
  ASSERT_EQ(assets->size(), 1u);
  EXPECT_EQ((*assets)[0].hostnames,
            (std::vector<std::string>{"db.example.edu.cn", "mysql.example.edu.cn"}));
  EXPECT_EQ((*assets)[0].first_seen, 1000);
  EXPECT_EQ((*assets)[0].last_seen, 5000);

  auto services = store_->ListServices();
  ASSERT_TRUE(services);
  ASSERT_EQ(services->size(), 1u);
  EXPECT_EQ((*services)[0].state, "filtered");
  EXPECT_EQ((*services)[0].first_seen, 1000);
  EXPECT_EQ((*services)[0].last_seen, 5000);

  // A banner for a port that already has a row does not change its state.
  ASSERT_TRUE(store_->RecordObservations(scan2, {Obs("192.0.2.7", 3306, "banner", "", 6000)}));
  EXPECT_EQ((*store_->ListServices())[0].state, "filtered");

  // Same port, other transport: a different service.
  Observation udp = Obs("192.0.2.7", 3306, "port_state", "open", 7000);
  udp.transport = "udp";
  ASSERT_TRUE(store_->RecordObservations(scan2, {udp}));
  EXPECT_EQ(store_->ListServices()->size(), 2u);
}

TEST_F(StoreIngestTest, APortStateRedoneInTheSameScanIsRecordedOnce) {
  // A resumed scan redoes the pairs finished after its last checkpoint.
  Observation open = Obs("192.0.2.9", 443, "port_state", "open", 1000);
  open.data_json = R"({"state":"open","reason":"syn-ack","rtt_ms":0.4})";
  ASSERT_TRUE(store_->RecordObservations(scan_, {open}));
  Observation redone = open;
  redone.data_json = R"({"state":"open","reason":"syn-ack","rtt_ms":0.7})";
  redone.time = 2000;
  ASSERT_TRUE(store_->RecordObservations(scan_, {redone, redone}));
  RawDb raw(path_);
  EXPECT_EQ(raw.Int("SELECT COUNT(*) FROM evidence WHERE kind = 'port_state'"), 1);
  EXPECT_EQ((*store_->ListServices())[0].last_seen, 2000);

  // Another state, another scan, or other evidence kinds are still recorded.
  ASSERT_TRUE(store_->RecordObservations(scan_, {Obs("192.0.2.9", 443, "port_state", "filtered", 3000)}));
  int64_t scan2 = testing::NewScan(*store_, "second");
  ASSERT_TRUE(store_->RecordObservations(scan2, {redone}));
  ASSERT_TRUE(store_->RecordObservations(scan_, {Obs("192.0.2.9", 443, "banner"), Obs("192.0.2.9", 443, "banner")}));
  const std::string states = "SELECT COUNT(*) FROM evidence WHERE kind = 'port_state' AND scan_id = ";
  EXPECT_EQ(raw.Int(states + std::to_string(scan_)), 2);
  EXPECT_EQ(raw.Int(states + std::to_string(scan2)), 1);
  EXPECT_EQ(raw.Int("SELECT COUNT(*) FROM evidence WHERE kind = 'banner'"), 2);
}

TEST_F(StoreIngestTest, ForEachServiceInScanStreamsInOrder) {
  int64_t other_scan = testing::NewScan(*store_, "other");
  ASSERT_TRUE(store_->RecordObservations(
      scan_, {Obs("10.0.0.10", 80, "port_state", "open"), Obs("10.0.0.10", 80, "http"),
              Obs("10.0.0.2", 8080, "port_state", "open"), Obs("10.0.0.2", 22, "banner"),
              Obs("10.0.0.2", 0, "host_up"), Obs("2001:db8::1", 443, "tls"),
              Obs("10.0.0.9", 25, "port_state", "closed")}));
  ASSERT_TRUE(store_->RecordObservations(
      other_scan, {Obs("10.0.0.2", 22, "banner"), Obs("10.0.0.3", 21, "banner")}));

  std::vector<std::string> walked;
  Status walk = store_->ForEachServiceInScan(
      scan_, [&](const Asset& asset, const Service& service,
                 const std::vector<Evidence>& evidence) -> Status {
        EXPECT_EQ(asset.id, service.asset_id);
        EXPECT_EQ(asset.address, service.address);
        std::string line = asset.address + ":" + std::to_string(service.port);
        for (const auto& e : evidence) {
          EXPECT_EQ(e.scan_id, scan_);
          EXPECT_EQ(e.service_id, service.id);
          line += " " + e.kind;
        }
        walked.push_back(line);
        // Writing during the walk is allowed.
        return store_->UpdateServiceIdentity(service.id, "svc", "", "", "");
      });
  ASSERT_TRUE(walk) << walk.error().message();
  EXPECT_EQ(walked, (std::vector<std::string>{
                        "10.0.0.2:22 banner", "10.0.0.2:8080 port_state", "10.0.0.9:25 port_state",
                        "10.0.0.10:80 port_state http", "2001:db8::1:443 tls"}));
  auto services = store_->ListServices();
  ASSERT_TRUE(services);
  for (const auto& service : *services) {
    EXPECT_EQ(service.name, service.address == "10.0.0.3" ? "" : "svc") << service.address;
  }

  // An error from fn stops the walk and comes back unchanged.
  int calls = 0;
  Status stopped = store_->ForEachServiceInScan(
      scan_, [&](const Asset&, const Service&, const std::vector<Evidence>&) -> Status {
        ++calls;
        return Error(ErrorCode::kInterrupted, "stop here");
      });
  ASSERT_FALSE(stopped);
  EXPECT_EQ(stopped.error().code(), ErrorCode::kInterrupted);
  EXPECT_EQ(stopped.error().message(), "stop here");
  EXPECT_EQ(calls, 1);

  int none = 0;
  ASSERT_TRUE(store_->ForEachServiceInScan(
      9999, [&](const Asset&, const Service&, const std::vector<Evidence>&) -> Status {
        ++none;
        return Ok();
      }));
  EXPECT_EQ(none, 0);
}

TEST_F(StoreIngestTest, ForEachServiceBatchPagesWithoutGapsOrRepeats) {
  int64_t other_scan = testing::NewScan(*store_, "other");
  Observation banner = Obs("10.0.0.2", 22, "banner");
  banner.raw = std::string("SSH-2.0-x\r\n\0", 12);
  ASSERT_TRUE(store_->RecordObservations(
      scan_, {Obs("10.0.0.10", 80, "port_state", "open"), Obs("10.0.0.10", 80, "http"),
              Obs("10.0.0.2", 8080, "port_state", "open"), banner,
              Obs("10.0.0.2", 3306, "port_state", "open"), Obs("10.0.0.2", 0, "host_up"),
              Obs("2001:db8::1", 443, "tls"), Obs("10.0.0.9", 25, "port_state", "closed")}));
  ASSERT_TRUE(store_->RecordObservations(other_scan, {Obs("10.0.0.3", 21, "banner")}));

  for (size_t size : {size_t{1}, size_t{2}, size_t{3}, size_t{5}, size_t{6}, size_t{100}}) {
    std::vector<std::string> walked;
    std::vector<size_t> pages;
    for (bool with_raw : {false, true}) {
      walked.clear();
      pages.clear();
      Status walk = store_->ForEachServiceBatch(
          scan_, size, with_raw, [&](const ServiceBatch& batch) -> Status {
            pages.push_back(batch.items.size());
            EXPECT_LE(batch.items.size(), size);
            for (size_t i = 0; i < batch.items.size(); ++i) {
              const auto& item = batch.items[i];
              const Asset& asset = batch.assets.at(item.asset);
              EXPECT_EQ(asset.id, item.service.asset_id);
              // Adjacent: a new asset entry only where the asset changes.
              if (i > 0) {
                EXPECT_EQ(item.asset == batch.items[i - 1].asset,
                          item.service.asset_id == batch.items[i - 1].service.asset_id);
              }
              std::string line = asset.address + ":" + std::to_string(item.service.port);
              for (const auto& e : item.evidence) {
                line += " " + e.kind;
                if (e.kind == "banner") {
                  EXPECT_EQ(e.raw.size(), with_raw ? 12u : 0u);
                }
              }
              walked.push_back(line);
            }
            // Writing between pages is allowed.
            std::vector<ServiceIdentity> named;
            for (const auto& item : batch.items) named.push_back({item.service.id, "page", "", "", "", 0});
            return store_->UpdateServiceIdentities(named);
          });
      ASSERT_TRUE(walk) << walk.error().message();
      EXPECT_EQ(walked, (std::vector<std::string>{
                            "10.0.0.2:22 banner", "10.0.0.2:3306 port_state",
                            "10.0.0.2:8080 port_state", "10.0.0.9:25 port_state",
                            "10.0.0.10:80 port_state http", "2001:db8::1:443 tls"}))
          << "page size " << size;
    }
    size_t total = 0;
    for (size_t p : pages) total += p;
    EXPECT_EQ(total, 6u);
    EXPECT_EQ(pages.size(), (6 + size - 1) / size)
        << "page size " << size;
  }
  auto services = store_->ListServices();
  ASSERT_TRUE(services);
  for (const auto& service : *services) {
    EXPECT_EQ(service.name, service.address == "10.0.0.3" ? "" : "page") << service.address;
  }
  // An unknown id in a batch update writes nothing.
  ServiceIdentity ghost{987654, "ghost", "", "", "", 0};
  ServiceIdentity real{(*services)[0].id, "changed", "", "", "", 0};
  Status bad = store_->UpdateServiceIdentities({real, ghost});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store_->ListServices()->at(0).name, "page");
}

TEST_F(StoreIngestTest, HostileStringsRoundTrip) {
  const std::string injection = "x'); DROP TABLE assets; --";
  const std::string quotes = R"(it's "quoted" \ back\slash)";
  const std::string invalid_utf8 = "caf\xc3(\xff\xfe\x80 end";
  std::string raw_bytes("\0\x01\xff\xfe'\"; DROP TABLE evidence;\0tail", 32);
  ASSERT_EQ(raw_bytes.size(), 32u);

  Observation obs = Obs("10.1.1.1", 6379, "banner", "", 2000);
  obs.hostname = injection;
  obs.data_json = R"({"text":")" + quotes + R"("})" + invalid_utf8;  // not even valid JSON
  obs.raw = raw_bytes;
  obs.transport = "tcp'--";
  Observation weird_address = Obs(injection, 0, "host_up");
  Observation bad_host = Obs("10.1.1.1", 0, "host_up");
  bad_host.hostname = invalid_utf8;
  ASSERT_TRUE(store_->RecordObservations(scan_, {obs, weird_address, bad_host}));

  RawDb raw(path_);
  EXPECT_EQ(raw.Int("SELECT COUNT(*) FROM sqlite_master WHERE name IN ('assets', 'evidence')"),
            2);
  auto assets = store_->ListAssets();
  ASSERT_TRUE(assets);
  ASSERT_EQ(assets->size(), 2u);
  EXPECT_EQ((*assets)[0].address, "10.1.1.1");
  EXPECT_EQ((*assets)[1].address, injection);  // not an address: sorts last
  ASSERT_EQ((*assets)[0].hostnames.size(), 2u);
  EXPECT_EQ((*assets)[0].hostnames[0], injection);
  // JSON cannot carry invalid UTF-8: the list field gets replacement characters.
  EXPECT_EQ((*assets)[0].hostnames[1].substr(0, 3), "caf");

  auto evidence = store_->ListEvidence(scan_, (*assets)[0].id);
  ASSERT_TRUE(evidence);
  ASSERT_EQ(evidence->size(), 2u);
  EXPECT_EQ((*evidence)[0].raw, raw_bytes);
  EXPECT_EQ((*evidence)[0].data_json, obs.data_json);  // stored as given
  auto services = store_->ListServices();
  ASSERT_TRUE(services);
  ASSERT_EQ(services->size(), 1u);
  EXPECT_EQ((*services)[0].transport, "tcp'--");

  ASSERT_TRUE(store_->UpdateServiceIdentity((*services)[0].id, injection, invalid_utf8, quotes,
                                            std::string("cpe:\0/a", 7)));
  auto updated = store_->ListServices();
  ASSERT_TRUE(updated);
  EXPECT_EQ((*updated)[0].name, injection);
  EXPECT_EQ((*updated)[0].product, invalid_utf8);
  EXPECT_EQ((*updated)[0].version, quotes);
  EXPECT_EQ((*updated)[0].cpe, std::string("cpe:\0/a", 7));
}

TEST_F(StoreIngestTest, InvalidObservationsAreRejectedWhole) {
  Observation no_address = Obs("", 80, "banner");
  Status status =
      store_->RecordObservations(scan_, {Obs("10.0.0.1", 80, "port_state", "open"), no_address});
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(store_->ListAssets()->empty());
  ASSERT_TRUE(store_->RecordObservations(scan_, {}));
}

TEST_F(StoreIngestTest, UpdateServiceIdentityAndMissingIds) {
  ASSERT_TRUE(store_->RecordObservations(scan_, {Obs("10.0.0.5", 443, "tls")}));
  auto services = store_->ListServices();
  ASSERT_TRUE(services && services->size() == 1u);
  ASSERT_TRUE(store_->UpdateServiceIdentity((*services)[0].id, "https", "nginx", "1.18.0",
                                            "cpe:/a:nginx:nginx:1.18.0"));
  auto after = store_->ListServices();
  EXPECT_EQ((*after)[0].product, "nginx");
  EXPECT_EQ((*after)[0].cpe, "cpe:/a:nginx:nginx:1.18.0");
  Status missing = store_->UpdateServiceIdentity(777, "x", "", "", "");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), ErrorCode::kNotFound);
  auto asset = store_->GetAsset((*services)[0].asset_id);
  ASSERT_TRUE(asset && asset->has_value());
  EXPECT_EQ((*asset)->address, "10.0.0.5");
  EXPECT_FALSE(store_->GetAsset(555)->has_value());
}

}  // namespace
}  // namespace ciiscope::inventory
