// The hash-chained audit log and tamper detection through a raw connection.
#include <gtest/gtest.h>

#include <string>

#include "core/hash.h"
#include "inventory/store/store.h"
#include "store_test_util.h"

namespace ciiscope::inventory {
namespace {

using testing::OpenOrDie;
using testing::RawDb;
using testing::TempDir;

const std::string kZeros(64, '0');

class StoreAuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.File("audit.db");
    store_ = OpenOrDie(path_);
    ASSERT_NE(store_, nullptr);
    for (int i = 1; i <= 5; ++i) {
      ASSERT_TRUE(store_->AppendAudit("alice", "scan", core::Sha256Hex("args" + std::to_string(i)),
                                      i == 3 ? "error: refused" : "ok"));
    }
  }

  TempDir dir_;
  std::string path_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreAuditTest, ChainVerifiesAndFollowsTheFormula) {
  auto broken = store_->VerifyAuditChain();
  ASSERT_TRUE(broken);
  EXPECT_EQ(*broken, 0);

  auto entries = store_->ListAudit();
  ASSERT_TRUE(entries);
  ASSERT_EQ(entries->size(), 5u);
  EXPECT_EQ((*entries)[0].prev_hash, kZeros);
  std::string prev = kZeros;
  for (const auto& e : *entries) {
    EXPECT_EQ(e.prev_hash, prev);
    EXPECT_EQ(e.hash, core::Sha256Hex(prev + "|" + std::to_string(e.time) + "|" + e.actor + "|" +
                                      e.command + "|" + e.args_digest + "|" + e.outcome));
    EXPECT_EQ(e.hash.size(), 64u);
    prev = e.hash;
  }
  EXPECT_EQ((*entries)[2].outcome, "error: refused");

  // Survives reopening.
  store_.reset();
  store_ = OpenOrDie(path_);
  ASSERT_NE(store_, nullptr);
  EXPECT_EQ(*store_->VerifyAuditChain(), 0);
}

TEST_F(StoreAuditTest, EmptyLogVerifies) {
  TempDir other;
  auto store = OpenOrDie(other.File("empty.db"));
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(*store->VerifyAuditChain(), 0);
}

TEST_F(StoreAuditTest, EditedRowIsDetectedAtThatRow) {
  {
    RawDb raw(path_);
    raw.Exec("UPDATE audit_log SET outcome = 'ok' WHERE id = 3");
  }
  auto broken = store_->VerifyAuditChain();
  ASSERT_TRUE(broken);
  EXPECT_EQ(*broken, 3);
}

TEST_F(StoreAuditTest, RecomputedHashIsCaughtByTheNextRow) {
  // An attacker who edits row 2 and fixes its own hash still breaks row 3.
  auto entries = store_->ListAudit();
  ASSERT_TRUE(entries);
  const AuditEntry& e = (*entries)[1];
  std::string forged = Store::AuditHash(e.prev_hash, e.time, "mallory", e.command, e.args_digest,
                                        e.outcome);
  {
    RawDb raw(path_);
    raw.Exec("UPDATE audit_log SET actor = 'mallory', hash = '" + forged + "' WHERE id = 2");
  }
  EXPECT_EQ(*store_->VerifyAuditChain(), 3);
}

TEST_F(StoreAuditTest, DeletedRowIsDetected) {
  {
    RawDb raw(path_);
    raw.Exec("DELETE FROM audit_log WHERE id = 3");
  }
  EXPECT_EQ(*store_->VerifyAuditChain(), 4);
}

TEST_F(StoreAuditTest, ReorderedRowsAreDetected) {
  {
    RawDb raw(path_);
    raw.Exec("UPDATE audit_log SET id = 100 WHERE id = 2");
    raw.Exec("UPDATE audit_log SET id = 2 WHERE id = 4");
    raw.Exec("UPDATE audit_log SET id = 4 WHERE id = 100");
  }
  EXPECT_EQ(*store_->VerifyAuditChain(), 2);
}

TEST_F(StoreAuditTest, AppendingAfterReopenContinuesTheChain) {
  store_.reset();
  store_ = OpenOrDie(path_);
  ASSERT_NE(store_, nullptr);
  ASSERT_TRUE(store_->AppendAudit("bob", "assess", std::string(64, 'a'), "ok"));
  auto entries = store_->ListAudit();
  ASSERT_TRUE(entries);
  ASSERT_EQ(entries->size(), 6u);
  EXPECT_EQ((*entries)[5].prev_hash, (*entries)[4].hash);
  EXPECT_EQ(*store_->VerifyAuditChain(), 0);
}

}  // namespace
}  // namespace ciiscope::inventory
