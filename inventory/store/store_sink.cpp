// StoreSink: the thread-safe EvidenceSink in front of a Store.
#include <utility>

#include "inventory/store/store.h"

namespace ciiscope::inventory {

StoreSink::StoreSink(Store& store, int64_t scan_id, size_t batch_size)
    : store_(store), scan_id_(scan_id), batch_size_(batch_size == 0 ? 1 : batch_size) {
  pending_.reserve(batch_size_);
}

StoreSink::~StoreSink() { Flush(); }

void StoreSink::Record(Observation obs) {
  std::lock_guard<std::mutex> lock(mu_);
  // Rejected here, one at a time, so a malformed observation never costs the
  // rest of its batch.
  if (obs.address.empty() || obs.kind.empty()) {
    if (!first_error_) {
      first_error_ = Error(ErrorCode::kInvalidArgument,
                           "observation without " +
                               std::string(obs.address.empty() ? "address" : "kind") +
                               " (kind '" + obs.kind + "', port " + std::to_string(obs.port) +
                               ")");
    }
    return;
  }
  pending_.push_back(std::move(obs));
  if (pending_.size() >= batch_size_) FlushLocked();
}

void StoreSink::Flush() {
  std::lock_guard<std::mutex> lock(mu_);
  FlushLocked();
}

void StoreSink::FlushLocked() {
  if (pending_.empty()) return;
  Status written = store_.RecordObservations(scan_id_, pending_);
  if (written) {
    recorded_ += pending_.size();
  } else if (!first_error_) {
    first_error_ = std::move(written).error();
  }
  pending_.clear();
}

Status StoreSink::status() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (first_error_) return *first_error_;
  return Ok();
}

Status StoreSink::WithStore(const std::function<Status(Store&)>& fn) {
  std::lock_guard<std::mutex> lock(mu_);
  FlushLocked();
  return fn(store_);
}

uint64_t StoreSink::recorded() const {
  std::lock_guard<std::mutex> lock(mu_);
  return recorded_;
}

}  // namespace ciiscope::inventory
