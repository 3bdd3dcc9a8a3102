// Offline reassessment: `ciiscope assess --scan ID` over stored evidence with
// changed rules updates findings, and it runs under a seccomp filter that
// kills the process on socket(2)/socketpair(2) — so it provably opens no
// socket (a kill would show as exit -SIGSYS). The filter itself is checked
// to kill a process that does call socket().
#include <gtest/gtest.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli_runner.h"
#include "core/clock.h"
#include "inventory/store/store.h"

namespace ciiscope {
namespace {

using nlohmann::json;
using testing::RunCli;
using testing::WriteFile;

#if defined(__x86_64__)
constexpr uint32_t kArch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
constexpr uint32_t kArch = AUDIT_ARCH_AARCH64;
#else
#error "offline_assess_test: add this architecture's AUDIT_ARCH"
#endif

// In the child: no new privileges, then socket/socketpair → SIGSYS (kill).
void ForbidSockets() {
  struct sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kArch, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_socket, 2, 0),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_socketpair, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
  };
  struct sock_fprog prog = {static_cast<unsigned short>(sizeof(filter) / sizeof(filter[0])), filter};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) _exit(120);
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) _exit(121);
}

TEST(SeccompFilterTest, KillsAProcessThatOpensASocket) {
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ForbidSockets();
    int fd = socket(AF_INET, SOCK_STREAM, 0);  // must not return
    _exit(fd >= 0 ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGSYS);
}

constexpr const char* kRuleV1 = R"(id: ssh-old
kind: check
severity: high
title: {zh: 旧 SSH, en: Old SSH}
remediation: {zh: 升级, en: Upgrade}
when: banner contains "OpenSSH_7.4"
)";
// v2 of the same rule no longer matches this banner; a new rule does.
constexpr const char* kRuleV2 = R"(id: ssh-old
kind: check
version: 2
severity: high
title: {zh: 旧 SSH, en: Old SSH}
remediation: {zh: 升级, en: Upgrade}
when: banner contains "OpenSSH_6."
)";
constexpr const char* kRuleNew = R"(id: ssh-exposed
kind: check
severity: medium
title: {zh: SSH 暴露, en: SSH exposed}
remediation: {zh: 限制来源, en: Restrict sources}
when: banner startswith "SSH-2.0-"
)";

class OfflineAssessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("offline");
    ASSERT_FALSE(dir_.empty());
    std::filesystem::create_directories(dir_ + "/rules-v1");
    std::filesystem::create_directories(dir_ + "/rules-v2");
    WriteFile(dir_ + "/rules-v1/ssh-old.yaml", kRuleV1);
    WriteFile(dir_ + "/rules-v2/ssh-old.yaml", kRuleV2);
    WriteFile(dir_ + "/rules-v2/ssh-exposed.yaml", kRuleNew);
    db_ = dir_ + "/inv.db";
    // Evidence of an old scan, written straight into the inventory.
    auto store = inventory::Store::Open(db_);
    ASSERT_TRUE(store.has_value()) << store.error().message();
    inventory::Scan scan;
    scan.started_at = core::NowMillis();
    scan.status = "running";
    auto id = (*store)->CreateScan(scan);
    ASSERT_TRUE(id.has_value());
    scan_id_ = *id;
    std::vector<inventory::Observation> obs(2);
    obs[0].address = "127.0.0.41";
    obs[0].transport = "tcp";
    obs[0].port = 22;
    obs[0].kind = "port_state";
    obs[0].state = "open";
    obs[0].data_json = R"({"state":"open"})";
    obs[1] = obs[0];
    obs[1].kind = "banner";
    obs[1].state = "";
    obs[1].data_json = json({{"text", "SSH-2.0-OpenSSH_7.4\r\n"}}).dump();
    ASSERT_TRUE((*store)->RecordObservations(scan_id_, obs).has_value());
    ASSERT_TRUE((*store)->FinishScan(scan_id_, "done", "{}").has_value());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  json Findings() {
    auto r = RunCli({"--db", db_, "findings", "list", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out, nullptr, false);
  }

  std::string dir_, db_;
  int64_t scan_id_ = 0;
};

TEST_F(OfflineAssessTest, ReassessesOldEvidenceWithNewRulesWithoutASocket) {
  auto first = RunCli({"--db", db_, "--rules", dir_ + "/rules-v1", "--actor", "tester", "assess", "--scan",
                       std::to_string(scan_id_)},
                      "", 0, 120, ForbidSockets);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  json f1 = Findings();
  ASSERT_EQ(f1.size(), 1u) << f1.dump();
  EXPECT_EQ(f1[0]["rule"], "ssh-old");

  auto second = RunCli({"--db", db_, "--rules", dir_ + "/rules-v2", "--actor", "tester", "assess", "--scan",
                        std::to_string(scan_id_)},
                       "", 0, 120, ForbidSockets);
  ASSERT_EQ(second.exit_code, 0) << "killed by signal " << -second.exit_code << "? " << second.err;
  EXPECT_NE(second.out.find("1 new"), std::string::npos) << second.out;
  EXPECT_NE(second.out.find("1 verified fixed"), std::string::npos) << second.out;
  json f2 = Findings();
  ASSERT_EQ(f2.size(), 2u) << f2.dump();
  for (const auto& f : f2) {
    if (f["rule"] == "ssh-old") EXPECT_EQ(f["status"], "verified");
    else EXPECT_EQ(f["status"], "open");
  }
}

TEST_F(OfflineAssessTest, AScanUnderTheFilterIsKilled) {
  // The same filter stops a command that does use the network: proof that a
  // socket in `assess` could not have gone unnoticed.
  auto r = RunCli({"--db", db_, "--actor", "tester", "scan", "127.0.0.1", "-p", "1"}, "", 0, 60, ForbidSockets);
  EXPECT_EQ(r.exit_code, -SIGSYS) << r.out << r.err;
}

// A rule that fails to load is reported (file:line:col) and skipped; the
// others still run. --strict makes it fatal.
TEST_F(OfflineAssessTest, BrokenRuleIsSkippedUnlessStrict) {
  WriteFile(dir_ + "/rules-v2/broken.yaml", "id: broken\nkind: check\nseverity: high\nwhen: 'banner =~ \"(x\"'\n");
  auto lax = RunCli({"--db", db_, "--rules", dir_ + "/rules-v2", "--actor", "tester", "assess"});
  ASSERT_EQ(lax.exit_code, 0) << lax.err;
  EXPECT_NE(lax.err.find("broken.yaml:"), std::string::npos) << lax.err;
  EXPECT_NE(lax.err.find("rule skipped"), std::string::npos) << lax.err;
  EXPECT_NE(lax.out.find("1 new"), std::string::npos) << lax.out;  // ssh-exposed still ran

  auto strict = RunCli({"--db", db_, "--rules", dir_ + "/rules-v2", "--strict", "--actor", "tester", "assess"});
  EXPECT_EQ(strict.exit_code, 3) << strict.out << strict.err;
  EXPECT_EQ(testing::LineCount(strict.err), 1) << strict.err;
  EXPECT_NE(strict.err.find("broken.yaml:"), std::string::npos) << strict.err;
}

TEST_F(OfflineAssessTest, LintReportsEveryProblemWithPositions) {
  const std::string dir = dir_ + "/lint";
  std::filesystem::create_directories(dir + "/pack");
  std::filesystem::create_directories(dir + "/scoring");  // data, not rules: never linted as rules
  WriteFile(dir + "/scoring/weights.yaml", "weights: {critical: 10}\n");
  WriteFile(dir + "/pack/a.yaml",
            "id: dup\nkind: check\nseverity: loud\ntitle: {zh: 甲}\nremediation: {zh: 修, en: fix}\n"
            "colour: red\nwhen: 'banner =~ \"(\"'\n");
  WriteFile(dir + "/pack/b.yaml", std::string(kRuleNew));
  WriteFile(dir + "/pack/c.yaml", std::string(kRuleNew));  // same id as b
  auto r = RunCli({"rules", "lint", dir});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  for (const char* want : {"a.yaml:3:11: expected severity", "a.yaml:4:8: expected 'en'",
                           "a.yaml:6:1: expected a field of a rule", "a.yaml:7:18: expected a valid RE2 regex",
                           "c.yaml:1:1: expected a unique rule id, got 'ssh-exposed' again"}) {
    EXPECT_NE(r.err.find(want), std::string::npos) << want << "\n" << r.err;
  }
  EXPECT_EQ(r.err.find("weights.yaml"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("1 loaded, 5 error(s)"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace ciiscope
