#include "store/internal/key_ring.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"
#include "store/base/coding.h"
#include "store/base/status_macros.h"
#include "store/internal/log_reads.h"
#include "store/master_key.h"
#include "store/record_format.h"

namespace carelog::internal {

std::string DataKeyKey(std::string_view stream) {
  std::string k(1, format::kDataKeyTag);
  PutVarint32(&k, static_cast<uint32_t>(stream.size()));
  k.append(stream);
  return k;
}

KeyRange DataKeyRange(std::string_view stream) {
  // The key and nothing after it: its successor is the key with one 0x00 more.
  std::string begin = DataKeyKey(stream);
  std::string end = begin;
  end.push_back('\0');
  return KeyRange{std::move(begin), std::move(end)};
}

namespace {

std::string PayloadAad(std::string_view stream, std::string_view id) {
  std::string aad("carelog payload", 15);
  aad.push_back('\0');
  aad.append(stream);
  aad.push_back('\0');
  aad.append(id);
  return aad;
}

}  // namespace

absl::StatusOr<std::string> SealPayload(const SecretKey& key, std::string_view stream,
                                        std::string_view id, std::string_view payload) {
  return Seal(key, PayloadAad(stream, id), payload);
}

absl::StatusOr<std::string> OpenPayload(const SecretKey& key, std::string_view stream,
                                        std::string_view id, std::string_view sealed) {
  absl::StatusOr<std::string> plain = Open(key, PayloadAad(stream, id), sealed);
  if (!plain.ok()) {
    return absl::DataLossError(absl::StrCat("the payload of '", std::string(id), "' in stream '",
                                            std::string(stream),
                                            "' does not authenticate: damaged, tampered or moved"));
  }
  return plain;
}

KeyRing::KeyRing(rocksdb::DB* db, SecretKey master) : db_(db), master_(std::move(master)) {}

absl::StatusOr<const SecretKey*> KeyRing::Find(std::string_view stream) {
  const std::string name(stream);
  {
    absl::MutexLock lock(&mu_);
    if (auto it = keys_.find(name); it != keys_.end()) return it->second.get();
  }
  std::string wrapped;
  const rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), DataKeyKey(stream), &wrapped);
  if (s.IsNotFound()) {
    return absl::NotFoundError(absl::StrCat("no data key for stream '", name, "'"));
  }
  RETURN_IF_ERROR(FromRocks(s, absl::StrCat("reading the data key of '", name, "'")));
  ASSIGN_OR_RETURN(SecretKey key, UnwrapDataKey(master_, stream, wrapped));
  absl::MutexLock lock(&mu_);
  auto& slot = keys_[name];
  if (slot == nullptr) slot = std::make_unique<SecretKey>(std::move(key));
  return slot.get();
}

absl::StatusOr<const SecretKey*> KeyRing::FindOrCreate(std::string_view stream,
                                                       std::string* wrapped) {
  wrapped->clear();
  if (IsErased(stream)) {
    return absl::FailedPreconditionError(
        absl::StrCat("stream '", std::string(stream),
                     "' is erased: nothing more can be recorded in it"));
  }
  absl::StatusOr<const SecretKey*> found = Find(stream);
  if (found.ok() || found.status().code() != absl::StatusCode::kNotFound) return found;
  ASSIGN_OR_RETURN(SecretKey key, SecretKey::Generate());
  ASSIGN_OR_RETURN(*wrapped, WrapDataKey(master_, stream, key));
  absl::MutexLock lock(&mu_);
  const std::string name(stream);
  pending_.push_back(name);
  auto& slot = keys_[name];
  slot = std::make_unique<SecretKey>(std::move(key));
  return slot.get();
}

absl::StatusOr<std::string> KeyRing::Open(std::string_view stream, std::string_view id,
                                           std::string_view sealed) {
  absl::StatusOr<const SecretKey*> key = Find(stream);
  if (!key.ok() && key.status().code() == absl::StatusCode::kNotFound) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the data key of stream '", std::string(stream), "' is destroyed: its payloads cannot be read"));
  }
  if (!key.ok()) return key.status();
  return OpenPayload(**key, stream, id, sealed);
}

void KeyRing::CommitPending() {
  absl::MutexLock lock(&mu_);
  pending_.clear();
}

void KeyRing::DropPending() {
  absl::MutexLock lock(&mu_);
  for (const std::string& name : pending_) keys_.erase(name);
  pending_.clear();
}

void KeyRing::Forget(std::string_view stream) {
  absl::MutexLock lock(&mu_);
  keys_.erase(std::string(stream));
}

void KeyRing::MarkErased(std::string_view stream) {
  absl::MutexLock lock(&mu_);
  erased_.insert(std::string(stream));
  any_erased_.store(true, std::memory_order_release);
}

bool KeyRing::IsErased(std::string_view stream) {
  // Every record read asks: a store with no erasure pays no lock for it.
  if (!any_erased_.load(std::memory_order_acquire)) return false;
  absl::MutexLock lock(&mu_);
  return erased_.contains(std::string(stream));
}

absl::StatusOr<RewrapReport> RewrapDataKeys(rocksdb::DB* db, const SecretKey& current,
                                            const SecretKey& next, rocksdb::WriteBatch* out) {
  const rocksdb::Snapshot* snapshot = db->GetSnapshot();
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot;
  std::vector<std::pair<std::string, std::string>> rewrapped;
  RewrapReport report;
  absl::Status status;
  {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro));
    const std::string first(1, format::kDataKeyTag);
    for (it->Seek(first); it->Valid() && it->key().starts_with(first); it->Next()) {
      std::string_view rest = it->key().ToStringView().substr(1);
      uint32_t len = 0;
      if (!GetVarint32(&rest, &len) || rest.size() != len) {
        status = absl::DataLossError("a data key's store key is malformed");
        break;
      }
      const std::string stream(rest);
      absl::StatusOr<SecretKey> key = UnwrapDataKey(current, stream, it->value().ToStringView());
      if (!key.ok()) {
        status = key.status();
        break;
      }
      absl::StatusOr<std::string> wrapped = WrapDataKey(next, stream, *key);
      if (!wrapped.ok()) {
        status = wrapped.status();
        break;
      }
      rewrapped.emplace_back(it->key().ToString(), *std::move(wrapped));
      ++report.keys;
    }
    if (status.ok()) status = FromRocks(it->status(), "reading the data keys");
  }
  db->ReleaseSnapshot(snapshot);
  RETURN_IF_ERROR(status);
  for (const auto& [key, wrapped] : rewrapped) {
    RETURN_IF_ERROR(FromRocks(out->Put(key, wrapped), "collecting the re-wrapped data keys"));
  }
  return report;
}

}  // namespace carelog::internal
