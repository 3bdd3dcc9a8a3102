// Store::VerifyTrail: names the first bad row for edits, deletions in the
// middle, reorders, and (through the head anchor file) deleted newest rows.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "core/hash.h"
#include "inventory/store/store.h"
#include "inventory/store/trail.h"
#include "store_test_util.h"

namespace ciiscope::inventory {
namespace {

using testing::OpenOrDie;
using testing::RawDb;
using testing::ReadBytes;
using testing::TempDir;
using testing::WriteBytes;

class StoreTrailTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.File("trail.db");
    store_ = OpenOrDie(path_);
    ASSERT_NE(store_, nullptr);
    for (int i = 1; i <= 6; ++i) {
      ASSERT_TRUE(store_->AppendAudit("alice", "scan", core::Sha256Hex(std::to_string(i)), "ok"));
    }
  }
  TrailCheck Check() {
    auto check = VerifyTrail(*store_);
    EXPECT_TRUE(check) << check.error().message();
    return check ? *check : TrailCheck{};
  }

  TempDir dir_;
  std::string path_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreTrailTest, IntactTrailMatchesItsAnchorFile) {
  TrailCheck c = Check();
  EXPECT_TRUE(c.ok) << c.reason;
  EXPECT_EQ(c.rows, 6);
  EXPECT_EQ(c.head_id, 6);
  EXPECT_TRUE(c.anchored);
  EXPECT_EQ(TrailAnchorPath(path_), path_ + ".trail-head");
  std::string anchor = ReadBytes(path_ + ".trail-head");
  EXPECT_EQ(anchor, "ciiscope-trail-head 1\nid 6\nhash " + c.head_hash + "\n");
  EXPECT_FALSE(std::filesystem::exists(path_ + ".trail-head.tmp"));
}

TEST_F(StoreTrailTest, AHeldAnchorReplacedByAnotherAppenderIsNotLeftBehind) {
  // A long command holds the anchor (HoldTrailAnchor) while another
  // connection (e.g. a daemon job) appends and replaces the file by rename.
  ASSERT_TRUE(store_->HoldTrailAnchor());
  {
    auto other = OpenOrDie(path_);
    ASSERT_TRUE(other->AppendAudit("daemon", "daemon job", core::Sha256Hex("x"), "ok"));
  }
  ASSERT_TRUE(store_->AppendAudit("alice", "scan", core::Sha256Hex("7"), "ok"));
  TrailCheck c = Check();
  EXPECT_TRUE(c.ok) << c.reason;
  EXPECT_EQ(c.head_id, 8);
  EXPECT_EQ(c.anchor_id, 8);
}

TEST_F(StoreTrailTest, EditNamesTheEditedRow) {
  RawDb(path_).Exec("UPDATE audit_log SET actor = 'mallory' WHERE id = 4");
  TrailCheck c = Check();
  EXPECT_FALSE(c.ok);
  EXPECT_EQ(c.bad_id, 4);
  EXPECT_EQ(c.reason, "row 4 was edited (its hash does not match its content)");
}

TEST_F(StoreTrailTest, DeletedMiddleRowIsNamed) {
  RawDb(path_).Exec("DELETE FROM audit_log WHERE id IN (3, 4)");
  TrailCheck c = Check();
  EXPECT_FALSE(c.ok);
  EXPECT_EQ(c.bad_id, 3);
  EXPECT_EQ(c.reason, "rows 3..4 were deleted");
}

TEST_F(StoreTrailTest, DeletedAndRenumberedRowBreaksTheLink) {
  {
    RawDb raw(path_);
    raw.Exec("DELETE FROM audit_log WHERE id = 3");
    raw.Exec("UPDATE audit_log SET id = id - 1 WHERE id > 3");
  }
  TrailCheck c = Check();
  EXPECT_FALSE(c.ok);
  EXPECT_EQ(c.bad_id, 3);
  EXPECT_NE(c.reason.find("row 3 does not follow row 2"), std::string::npos) << c.reason;
}

TEST_F(StoreTrailTest, ReorderNamesTheFirstMovedRow) {
  {
    RawDb raw(path_);
    raw.Exec("UPDATE audit_log SET id = 100 WHERE id = 2");
    raw.Exec("UPDATE audit_log SET id = 2 WHERE id = 5");
    raw.Exec("UPDATE audit_log SET id = 5 WHERE id = 100");
  }
  TrailCheck c = Check();
  EXPECT_FALSE(c.ok);
  EXPECT_EQ(c.bad_id, 2);
}

TEST_F(StoreTrailTest, TruncatedTailIsCaughtByTheAnchor) {
  RawDb(path_).Exec("DELETE FROM audit_log WHERE id >= 5");
  TrailCheck c = Check();
  EXPECT_FALSE(c.ok);
  EXPECT_EQ(c.bad_id, 5);
  EXPECT_NE(c.reason.find("rows 5..6 (the newest) were deleted"), std::string::npos) << c.reason;

  // One row only.
  TempDir other;
  auto s = OpenOrDie(other.File("one.db"));
  ASSERT_TRUE(s->AppendAudit("a", "scan", "d", "ok"));
  ASSERT_TRUE(s->AppendAudit("a", "scan", "d", "ok"));
  RawDb(other.File("one.db")).Exec("DELETE FROM audit_log WHERE id = 2");
  auto c2 = VerifyTrail(*s);
  ASSERT_TRUE(c2);
  EXPECT_EQ(c2->bad_id, 2);
  EXPECT_NE(c2->reason.find("row 2 (the newest) was deleted"), std::string::npos);
}

TEST_F(StoreTrailTest, ReplacedNewestRowDoesNotMatchTheAnchor) {
  // Delete the newest row and forge a consistent replacement.
  auto entries = store_->ListAudit();
  ASSERT_TRUE(entries);
  const AuditEntry& prev = (*entries)[4];
  std::string forged = Store::AuditHash(prev.hash, 1, "mallory", "scan", "x", "ok");
  {
    RawDb raw(path_);
    raw.Exec("DELETE FROM audit_log WHERE id = 6");
    raw.Exec("INSERT INTO audit_log VALUES (6, 1, 'mallory', 'scan', 'x', 'ok', '" + prev.hash +
             "', '" + forged + "')");
  }
  TrailCheck c = Check();
  EXPECT_FALSE(c.ok);
  EXPECT_EQ(c.bad_id, 6);
  EXPECT_NE(c.reason.find("does not match the hash in"), std::string::npos);
}

TEST_F(StoreTrailTest, RowAddedBehindTheAnchorIsNamed) {
  auto entries = store_->ListAudit();
  ASSERT_TRUE(entries);
  std::string head = entries->back().hash;
  std::string forged = Store::AuditHash(head, 1, "mallory", "scan", "x", "ok");
  RawDb(path_).Exec("INSERT INTO audit_log VALUES (7, 1, 'mallory', 'scan', 'x', 'ok', '" + head +
                    "', '" + forged + "')");
  TrailCheck c = Check();
  EXPECT_FALSE(c.ok);
  EXPECT_EQ(c.bad_id, 7);
}

TEST_F(StoreTrailTest, MissingOrGarbledAnchorFails) {
  std::filesystem::remove(path_ + ".trail-head");
  TrailCheck c = Check();
  EXPECT_FALSE(c.ok);
  EXPECT_NE(c.reason.find("is missing"), std::string::npos);

  WriteBytes(path_ + ".trail-head", "garbage\n");
  auto bad = VerifyTrail(*store_);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("not a ciiscope trail head file"), std::string::npos);

  // The next append re-anchors.
  ASSERT_TRUE(store_->AppendAudit("alice", "assess", "d", "ok"));
  EXPECT_TRUE(Check().ok);
}

TEST_F(StoreTrailTest, ListSinceAndLastId) {
  EXPECT_EQ(*LastAuditId(*store_), 6);
  auto rows = AuditSince(*store_, 4, 10);
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].id, 5);
  EXPECT_EQ(AuditSince(*store_, 0, 3)->size(), 3u);
}

TEST(StoreTrailMemory, InMemoryDatabaseHasNoAnchor) {
  auto s = Store::Open(":memory:");
  ASSERT_TRUE(s);
  EXPECT_EQ(TrailAnchorPath((*s)->path()), "");
  ASSERT_TRUE((*s)->AppendAudit("a", "scan", "d", "ok"));
  auto c = VerifyTrail(**s);
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->ok);
}

}  // namespace
}  // namespace ciiscope::inventory
