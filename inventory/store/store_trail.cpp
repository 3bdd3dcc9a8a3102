// The audit trail's tamper checks and head anchor (inventory/store/trail.h).

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "inventory/store/store.h"
#include "inventory/store/trail.h"

namespace ciiscope::inventory {

namespace {

constexpr std::string_view kGenesis =
    "0000000000000000000000000000000000000000000000000000000000000000";
constexpr std::string_view kAnchorMagic = "ciiscope-trail-head 1";

Error AnchorError(const std::string& path, std::string_view what) {
  return Error(ErrorCode::kIo, path + ": " + std::string(what) + ": " + std::strerror(errno));
}

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return AnchorError(path, "cannot write");
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Ok();
}

struct Anchor {
  int64_t id = 0;
  std::string hash;
};

// Reads at most 4 KiB; anything not of the expected form is an error.
Result<std::optional<Anchor>> ReadAnchor(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec) && !ec) return std::optional<Anchor>();
  std::ifstream in(path, std::ios::binary);
  if (!in) return AnchorError(path, "cannot read");
  std::string text(4096, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  std::istringstream lines(text);
  std::string magic, key_id, key_hash;
  Anchor anchor;
  std::getline(lines, magic);
  if (magic != kAnchorMagic || !(lines >> key_id >> anchor.id >> key_hash >> anchor.hash) ||
      key_id != "id" || key_hash != "hash" || anchor.hash.size() != 64 || anchor.id <= 0) {
    return Error(ErrorCode::kInvalidArgument, path + ": not a ciiscope trail head file");
  }
  return std::optional<Anchor>(anchor);
}

}  // namespace

std::string TrailAnchorPath(const std::string& db_path) {
  if (db_path.empty() || db_path == ":memory:" || db_path.starts_with("file:")) return "";
  return db_path + ".trail-head";
}

namespace {

std::string AnchorBody(int64_t id, std::string_view hash) {
  return std::string(kAnchorMagic) + "\nid " + std::to_string(id) + "\nhash " + std::string(hash) +
         "\n";
}

}  // namespace

Result<int> OpenTrailAnchor(const std::string& db_path) {
  const std::string path = TrailAnchorPath(db_path);
  if (path.empty()) return -1;
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0) return AnchorError(path, "cannot open trail head");
  return fd;
}

Status RewriteTrailAnchor(int fd, const std::string& db_path, int64_t id, std::string_view hash) {
  const std::string path = TrailAnchorPath(db_path);
  // Another connection (a daemon's job, a second command) may have replaced
  // the file by rename since it was opened: the held descriptor then names a
  // file nobody reads, so write the current one instead.
  // Only a file that is gone or another one counts as replaced: a process
  // that dropped root (live capture, the syn engine) may not even be allowed
  // to stat the path, and then the held descriptor is all it can write.
  struct stat held {}, named {};
  if (::fstat(fd, &held) == 0) {
    const int rc = ::stat(path.c_str(), &named);
    const bool gone = rc != 0 && errno == ENOENT;
    const bool other = rc == 0 && (held.st_ino != named.st_ino || held.st_dev != named.st_dev);
    if (gone || other) return WriteTrailAnchor(db_path, id, hash);
  }
  const std::string body = AnchorBody(id, hash);
  if (::pwrite(fd, body.data(), body.size(), 0) != static_cast<ssize_t>(body.size()) ||
      ::ftruncate(fd, static_cast<off_t>(body.size())) != 0 || ::fsync(fd) != 0) {
    return AnchorError(path, "cannot write");
  }
  return Ok();
}

Status WriteTrailAnchor(const std::string& db_path, int64_t id, std::string_view hash) {
  const std::string path = TrailAnchorPath(db_path);
  if (path.empty()) return Ok();
  const std::string tmp = path + ".tmp";
  std::string body = AnchorBody(id, hash);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) return AnchorError(tmp, "cannot create trail head");
  Status written = WriteAll(fd, body, tmp);
  if (written && ::fsync(fd) != 0) written = AnchorError(tmp, "cannot sync");
  ::close(fd);
  if (written && ::rename(tmp.c_str(), path.c_str()) != 0) {
    written = AnchorError(path, "cannot replace trail head");
  }
  if (!written) {
    ::unlink(tmp.c_str());
    return written;
  }
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  if (dir.empty()) dir = ".";
  if (int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
    (void)::fsync(dfd);
    ::close(dfd);
  }
  return Ok();
}

Result<std::vector<AuditEntry>> AuditSince(Store& store, int64_t after_id, size_t limit) {
  CII_ASSIGN_OR_RETURN(auto all, store.ListAudit());
  std::vector<AuditEntry> out;
  for (auto& e : all) {
    if (e.id > after_id && out.size() < limit) out.push_back(std::move(e));
  }
  return out;
}

Result<int64_t> LastAuditId(Store& store) {
  CII_ASSIGN_OR_RETURN(auto all, store.ListAudit());
  return all.empty() ? int64_t{0} : all.back().id;
}

Result<TrailCheck> VerifyTrail(Store& store) {
  TrailCheck check;
  auto fail = [&](int64_t id, std::string reason) {
    if (!check.ok) return;
    check.ok = false;
    check.bad_id = id;
    check.reason = std::move(reason);
  };
  CII_ASSIGN_OR_RETURN(auto rows, store.ListAudit());
  std::string expected_prev(kGenesis);
  int64_t prev_id = 0;
  for (const AuditEntry& e : rows) {
    ++check.rows;
    const int64_t id = e.id;
    const std::string& prev_hash = e.prev_hash;
    const std::string& hash = e.hash;
    if (id != prev_id + 1) {
      fail(prev_id + 1, prev_id + 1 == id - 1
                            ? "row " + std::to_string(prev_id + 1) + " was deleted"
                            : "rows " + std::to_string(prev_id + 1) + ".." +
                                  std::to_string(id - 1) + " were deleted");
    } else if (hash != Store::AuditHash(prev_hash, e.time, e.actor, e.command, e.args_digest,
                                        e.outcome)) {
      fail(id, "row " + std::to_string(id) + " was edited (its hash does not match its content)");
    } else if (prev_hash != expected_prev) {
      fail(id, prev_id == 0 ? "row " + std::to_string(id) + " does not start the chain"
                            : "row " + std::to_string(id) + " does not follow row " +
                                  std::to_string(prev_id) +
                                  " (rows were reordered, deleted, or row " +
                                  std::to_string(prev_id) + " was rewritten)");
    }
    expected_prev = hash;
    prev_id = id;
    check.head_id = id;
    check.head_hash = hash;
  }

  const std::string anchor_path = TrailAnchorPath(store.path());
  if (anchor_path.empty()) return check;
  CII_ASSIGN_OR_RETURN(auto anchor, ReadAnchor(anchor_path));
  if (!anchor) {
    if (check.rows > 0) {
      fail(check.head_id, "trail head " + anchor_path +
                              " is missing, so deleted newest rows cannot be ruled out");
    }
    return check;
  }
  check.anchored = true;
  check.anchor_id = anchor->id;
  if (check.head_id < anchor->id) {
    int64_t first = check.head_id + 1;
    fail(first, first == anchor->id
                    ? "row " + std::to_string(first) + " (the newest) was deleted; " +
                          anchor_path + " names it as the head"
                    : "rows " + std::to_string(first) + ".." + std::to_string(anchor->id) +
                          " (the newest) were deleted; " + anchor_path + " names row " +
                          std::to_string(anchor->id) + " as the head");
  } else if (check.head_id > anchor->id) {
    fail(anchor->id + 1, "row " + std::to_string(anchor->id + 1) +
                             " was added behind the anchor (" + anchor_path + " names row " +
                             std::to_string(anchor->id) + " as the head)");
  } else if (check.head_hash != anchor->hash) {
    fail(anchor->id, "row " + std::to_string(anchor->id) + " does not match the hash in " +
                         anchor_path);
  }
  return check;
}

}  // namespace ciiscope::inventory
