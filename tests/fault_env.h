// FaultFileSystem: a RocksDB FileSystem for tests that makes the disk fail on
// command. Wrap the default file system, build an Env over it and give the
// Env to the store (StoreOptions::env):
//
//   auto fs = std::make_shared<FaultFileSystem>(rocksdb::FileSystem::Default());
//   std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
//   StoreOptions o; o.env = env.get();
//
// Switches (thread-safe; each applies to files whose name ends with
// `target_suffix`, by default RocksDB's write-ahead log "*.log"):
//   FailWritesAfter(n, kind)  the (n+1)-th write from now and every later one
//                             fails with an I/O error (kind kIOError) or "no
//                             space left on device" (kind kNoSpace);
//   FailSyncs(true)           every fsync fails (the data may have been
//                             written, it is just not known to be durable);
//   Crash()                   the machine stops here: later writes and syncs
//                             "succeed" but change nothing on disk;
//   DropUnsyncedData()        after the store is closed: every file written
//                             since the file system was made is cut back to
//                             what was last fsynced, as a power cut would.
//   Clear()                   the disk works again (not after Crash()).
// Counters (writes, syncs, faults injected) let a test check that it really
// reached the fault it meant to test.
#ifndef CARELOG_TESTS_FAULT_ENV_H_
#define CARELOG_TESTS_FAULT_ENV_H_

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "rocksdb/env.h"
#include "rocksdb/file_system.h"
#include "rocksdb/io_status.h"

namespace carelog::testing {

#define CARELOG_RETURN_FAULT(expr)        \
  do {                                    \
    rocksdb::IOStatus fault_s_ = (expr);  \
    if (!fault_s_.ok()) return fault_s_;  \
  } while (0)

class FaultFileSystem : public rocksdb::FileSystemWrapper {
 public:
  enum class Kind { kIOError, kNoSpace };

  explicit FaultFileSystem(const std::shared_ptr<rocksdb::FileSystem>& base)
      : rocksdb::FileSystemWrapper(base) {}

  const char* Name() const override { return "CarelogFaultFileSystem"; }

  void set_target_suffix(const std::string& s) {
    std::lock_guard<std::mutex> l(mu_);
    target_suffix_ = s;
  }
  void FailWritesAfter(int64_t n, Kind kind = Kind::kIOError) {
    write_kind_.store(kind);
    writes_before_fault_.store(n);
  }
  void FailSyncs(bool on) { fail_syncs_.store(on); }
  void Crash() { crashed_.store(true); }
  void Clear() {
    writes_before_fault_.store(-1);
    fail_syncs_.store(false);
  }

  uint64_t writes() const { return writes_.load(); }
  uint64_t syncs() const { return syncs_.load(); }
  uint64_t faults() const { return faults_.load(); }

  // Cuts every tracked file back to its last synced size plus at most
  // `keep_unsynced` bytes (a torn write), as a power cut would; the store
  // must be closed. Returns the number of bytes dropped.
  uint64_t DropUnsyncedData(uint64_t keep_unsynced = 0) {
    std::lock_guard<std::mutex> l(mu_);
    uint64_t dropped = 0;
    for (auto& [path, f] : files_) {
      std::error_code ec;
      const auto size = std::filesystem::file_size(path, ec);
      if (ec) continue;  // deleted since
      const uint64_t keep = f.synced + keep_unsynced;
      if (size > keep) {
        dropped += size - keep;
        std::filesystem::resize_file(path, keep, ec);
      }
      f.size = f.synced = std::min<uint64_t>(size, keep);
    }
    return dropped;
  }

  // --- rocksdb::FileSystem ---
  rocksdb::IOStatus NewWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                    std::unique_ptr<rocksdb::FSWritableFile>* r,
                                    rocksdb::IODebugContext* dbg) override {
    return Wrap(f, target()->NewWritableFile(f, o, r, dbg), r, 0);
  }
  rocksdb::IOStatus ReopenWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                       std::unique_ptr<rocksdb::FSWritableFile>* r,
                                       rocksdb::IODebugContext* dbg) override {
    std::error_code ec;
    const auto size = std::filesystem::exists(f, ec) ? std::filesystem::file_size(f, ec) : 0;
    return Wrap(f, target()->ReopenWritableFile(f, o, r, dbg), r, size);
  }
  rocksdb::IOStatus ReuseWritableFile(const std::string& f, const std::string& old,
                                      const rocksdb::FileOptions& o,
                                      std::unique_ptr<rocksdb::FSWritableFile>* r,
                                      rocksdb::IODebugContext* dbg) override {
    return Wrap(f, target()->ReuseWritableFile(f, old, o, r, dbg), r, 0);
  }
  rocksdb::IOStatus RenameFile(const std::string& src, const std::string& dst,
                               const rocksdb::IOOptions& o,
                               rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = target()->RenameFile(src, dst, o, dbg);
    if (s.ok()) {
      std::lock_guard<std::mutex> l(mu_);
      auto it = files_.find(src);
      if (it != files_.end()) {
        files_[dst] = it->second;
        files_.erase(it);
      } else {
        files_.erase(dst);
      }
    }
    return s;
  }
  rocksdb::IOStatus DeleteFile(const std::string& f, const rocksdb::IOOptions& o,
                               rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = target()->DeleteFile(f, o, dbg);
    if (s.ok()) {
      std::lock_guard<std::mutex> l(mu_);
      files_.erase(f);
    }
    return s;
  }

 private:
  struct Tracked {
    uint64_t size = 0;    // bytes written through us
    uint64_t synced = 0;  // bytes known durable
  };

  class File : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    File(FaultFileSystem* fs, std::string path, std::unique_ptr<rocksdb::FSWritableFile> t)
        : rocksdb::FSWritableFileOwnerWrapper(std::move(t)), fs_(fs), path_(std::move(path)) {}

    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& o,
                             rocksdb::IODebugContext* dbg) override {
      CARELOG_RETURN_FAULT(fs_->BeforeWrite(path_));
      if (fs_->crashed_.load()) return rocksdb::IOStatus::OK();
      rocksdb::IOStatus s = target()->Append(data, o, dbg);
      if (s.ok()) fs_->Written(path_, data.size());
      return s;
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& o,
                             const rocksdb::DataVerificationInfo& v,
                             rocksdb::IODebugContext* dbg) override {
      CARELOG_RETURN_FAULT(fs_->BeforeWrite(path_));
      if (fs_->crashed_.load()) return rocksdb::IOStatus::OK();
      rocksdb::IOStatus s = target()->Append(data, o, v, dbg);
      if (s.ok()) fs_->Written(path_, data.size());
      return s;
    }
    rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset,
                                       const rocksdb::IOOptions& o,
                                       rocksdb::IODebugContext* dbg) override {
      CARELOG_RETURN_FAULT(fs_->BeforeWrite(path_));
      if (fs_->crashed_.load()) return rocksdb::IOStatus::OK();
      rocksdb::IOStatus s = target()->PositionedAppend(data, offset, o, dbg);
      if (s.ok()) fs_->WrittenAt(path_, offset + data.size());
      return s;
    }
    rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset,
                                       const rocksdb::IOOptions& o,
                                       const rocksdb::DataVerificationInfo& v,
                                       rocksdb::IODebugContext* dbg) override {
      CARELOG_RETURN_FAULT(fs_->BeforeWrite(path_));
      if (fs_->crashed_.load()) return rocksdb::IOStatus::OK();
      rocksdb::IOStatus s = target()->PositionedAppend(data, offset, o, v, dbg);
      if (s.ok()) fs_->WrittenAt(path_, offset + data.size());
      return s;
    }
    rocksdb::IOStatus Truncate(uint64_t size, const rocksdb::IOOptions& o,
                               rocksdb::IODebugContext* dbg) override {
      if (fs_->crashed_.load()) return rocksdb::IOStatus::OK();
      rocksdb::IOStatus s = target()->Truncate(size, o, dbg);
      if (s.ok()) fs_->Truncated(path_, size);
      return s;
    }
    rocksdb::IOStatus Sync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
      CARELOG_RETURN_FAULT(fs_->BeforeSync(path_));
      if (fs_->crashed_.load()) return rocksdb::IOStatus::OK();
      rocksdb::IOStatus s = target()->Sync(o, dbg);
      if (s.ok()) fs_->Synced(path_);
      return s;
    }
    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
      CARELOG_RETURN_FAULT(fs_->BeforeSync(path_));
      if (fs_->crashed_.load()) return rocksdb::IOStatus::OK();
      rocksdb::IOStatus s = target()->Fsync(o, dbg);
      if (s.ok()) fs_->Synced(path_);
      return s;
    }
    // RocksDB may sync on close (e.g. an SST); a close is not a sync here.
    rocksdb::IOStatus Close(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
      return target()->Close(o, dbg);
    }

   private:
    FaultFileSystem* fs_;
    std::string path_;
  };

  bool Targeted(const std::string& path) {
    std::lock_guard<std::mutex> l(mu_);
    return path.size() >= target_suffix_.size() &&
           path.compare(path.size() - target_suffix_.size(), target_suffix_.size(),
                        target_suffix_) == 0;
  }

  rocksdb::IOStatus BeforeWrite(const std::string& path) {
    if (!Targeted(path)) return rocksdb::IOStatus::OK();
    writes_.fetch_add(1);
    int64_t n = writes_before_fault_.load();
    while (n > 0 && !writes_before_fault_.compare_exchange_weak(n, n - 1)) {
    }
    if (n != 0) return rocksdb::IOStatus::OK();  // -1: off; >0: not yet
    faults_.fetch_add(1);
    if (write_kind_.load() == Kind::kNoSpace) {
      return rocksdb::IOStatus::NoSpace("injected: no space left on device", path);
    }
    return rocksdb::IOStatus::IOError("injected: write failed", path);
  }
  rocksdb::IOStatus BeforeSync(const std::string& path) {
    if (!Targeted(path)) return rocksdb::IOStatus::OK();
    syncs_.fetch_add(1);
    if (!fail_syncs_.load()) return rocksdb::IOStatus::OK();
    faults_.fetch_add(1);
    return rocksdb::IOStatus::IOError("injected: fsync failed", path);
  }

  void Written(const std::string& path, uint64_t n) {
    std::lock_guard<std::mutex> l(mu_);
    files_[path].size += n;
  }
  void WrittenAt(const std::string& path, uint64_t end) {
    std::lock_guard<std::mutex> l(mu_);
    auto& f = files_[path];
    if (end > f.size) f.size = end;
  }
  void Truncated(const std::string& path, uint64_t size) {
    std::lock_guard<std::mutex> l(mu_);
    auto& f = files_[path];
    f.size = size;
    if (f.synced > size) f.synced = size;
  }
  void Synced(const std::string& path) {
    std::lock_guard<std::mutex> l(mu_);
    auto& f = files_[path];
    f.synced = f.size;
  }

  rocksdb::IOStatus Wrap(const std::string& path, rocksdb::IOStatus s,
                         std::unique_ptr<rocksdb::FSWritableFile>* r, uint64_t existing) {
    if (!s.ok()) return s;
    {
      std::lock_guard<std::mutex> l(mu_);
      // An existing file's old bytes were durable before we started.
      files_[path] = Tracked{existing, existing};
    }
    *r = std::make_unique<File>(this, path, std::move(*r));
    return s;
  }

  std::mutex mu_;
  std::string target_suffix_ = ".log";
  std::map<std::string, Tracked> files_;
  std::atomic<int64_t> writes_before_fault_{-1};
  std::atomic<Kind> write_kind_{Kind::kIOError};
  std::atomic<bool> fail_syncs_{false};
  std::atomic<bool> crashed_{false};
  std::atomic<uint64_t> writes_{0}, syncs_{0}, faults_{0};
};

#undef CARELOG_RETURN_FAULT

}  // namespace carelog::testing

#endif  // CARELOG_TESTS_FAULT_ENV_H_
