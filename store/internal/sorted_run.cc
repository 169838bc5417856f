// Run file (one per staged group and merge round; removed when the load
// ends, by the next read-write open after a crash):
//   run     := block*
//   block   := fixed32(payload_bytes) fixed32(crc) payload
//              crc = Crc32(payload)   (store/base/crc32.h)
//   payload := entry+
//   entry   := varint32(|key|) key varint32(|value|) value
// Keys strictly increase through the run. Each block's offset, length,
// entry count and first key are kept in memory (SortedRun), not in the file:
// the reader checks the bytes against them.
#include "store/internal/sorted_run.h"

#include <algorithm>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "store/base/coding.h"
#include "store/base/crc32.h"

namespace carelog::internal {
namespace {

constexpr size_t kHeaderBytes = 8;

}  // namespace

rocksdb::Status SortedRunWriter::Open(rocksdb::Env& env, std::string path,
                                      std::unique_ptr<SortedRunWriter>* out) {
  std::unique_ptr<rocksdb::WritableFile> file;
  rocksdb::Status s = env.NewWritableFile(path, &file, rocksdb::EnvOptions());
  if (!s.ok()) return s;
  out->reset(new SortedRunWriter(std::move(file), std::move(path)));
  return rocksdb::Status::OK();
}

SortedRunWriter::SortedRunWriter(std::unique_ptr<rocksdb::WritableFile> file, std::string path)
    : file_(std::move(file)) {
  run_.path = std::move(path);
  block_.reserve(kBlockBytes + 1024);
  block_.resize(kHeaderBytes);
}

rocksdb::Status SortedRunWriter::Add(const rocksdb::Slice& key, const rocksdb::Slice& value) {
  if (run_.entries > 0 && key.compare(rocksdb::Slice(last_key_)) <= 0) {
    return rocksdb::Status::InvalidArgument(
        absl::StrCat("sorted run ", run_.path, ": a key out of order after ", run_.entries,
                     " entries"));
  }
  if (block_.size() == kHeaderBytes) {
    run_.blocks.push_back(SortedRun::Block{offset_, 0, 0, key.ToString()});
  }
  PutVarint32(&block_, static_cast<uint32_t>(key.size()));
  block_.append(key.data(), key.size());
  PutVarint32(&block_, static_cast<uint32_t>(value.size()));
  block_.append(value.data(), value.size());
  last_key_.assign(key.data(), key.size());
  ++run_.entries;
  ++run_.blocks.back().entries;
  return block_.size() >= kBlockBytes ? FlushBlock() : rocksdb::Status::OK();
}

rocksdb::Status SortedRunWriter::FlushBlock() {
  if (block_.size() == kHeaderBytes) return rocksdb::Status::OK();
  const std::string_view payload(block_.data() + kHeaderBytes, block_.size() - kHeaderBytes);
  EncodeFixed32(block_.data(), static_cast<uint32_t>(payload.size()));
  EncodeFixed32(block_.data() + 4, Crc32(payload));
  rocksdb::Status s = file_->Append(rocksdb::Slice(block_));
  if (!s.ok()) return s;
  run_.blocks.back().bytes = static_cast<uint32_t>(block_.size());
  offset_ += block_.size();
  block_.resize(kHeaderBytes);
  return rocksdb::Status::OK();
}

rocksdb::Status SortedRunWriter::Finish(SortedRun* run) {
  rocksdb::Status s = FlushBlock();
  if (s.ok()) s = file_->Close();
  if (!s.ok()) return s;
  *run = std::move(run_);
  return rocksdb::Status::OK();
}

SortedRunReader::SortedRunReader(rocksdb::Env& env, const SortedRun& run, size_t readahead)
    : env_(env), run_(run), readahead_(readahead) {}

void SortedRunReader::Fail(const std::string& what) {
  status_ = rocksdb::Status::Corruption(absl::StrCat("sorted run ", run_.path, ": ", what));
  valid_ = false;
}

rocksdb::Status SortedRunReader::Seek(const rocksdb::Slice& target) {
  valid_ = false;
  if (!status_.ok()) return status_;
  if (file_ == nullptr) {
    status_ = env_.NewRandomAccessFile(run_.path, &file_, rocksdb::EnvOptions());
    if (!status_.ok()) return status_;
  }
  // The last block whose first key is <= target holds it, if any does.
  auto after = std::upper_bound(
      run_.blocks.begin(), run_.blocks.end(), target,
      [](const rocksdb::Slice& t, const SortedRun::Block& b) {
        return t.compare(rocksdb::Slice(b.first_key)) < 0;
      });
  next_block_ = after == run_.blocks.begin()
                    ? 0
                    : static_cast<size_t>(after - run_.blocks.begin()) - 1;
  payloads_.clear();
  payload_ = 0;
  in_ = rocksdb::Slice();
  entries_in_payload_ = 0;
  Load();
  while (valid_ && key_.compare(target) < 0) Load();
  return status_;
}

void SortedRunReader::Next() {
  if (!valid_) return;
  Load();
}

bool SortedRunReader::ReadAhead() {
  if (next_block_ >= run_.blocks.size()) return false;
  // Whole blocks, contiguous in the file, up to the read-ahead.
  size_t last = next_block_;
  uint64_t bytes = run_.blocks[last].bytes;
  while (last + 1 < run_.blocks.size() && bytes + run_.blocks[last + 1].bytes <= readahead_) {
    bytes += run_.blocks[++last].bytes;
  }
  const uint64_t offset = run_.blocks[next_block_].offset;
  buffer_.resize(bytes);
  rocksdb::Slice got;
  status_ = file_->Read(offset, bytes, &got, buffer_.data());
  if (!status_.ok()) {
    valid_ = false;
    return false;
  }
  if (got.size() != bytes) {
    Fail(absl::StrCat("the file ends at byte ", offset + got.size(), ", not at ",
                      offset + bytes, " as written"));
    return false;
  }
  // Read may answer from its own memory rather than the scratch buffer.
  const char* base = got.data();
  payloads_.clear();
  first_loaded_ = next_block_;
  for (size_t b = next_block_; b <= last; ++b) {
    const SortedRun::Block& block = run_.blocks[b];
    const char* p = base + (block.offset - offset);
    const uint32_t payload_bytes = DecodeFixed32(p);
    if (block.bytes < kHeaderBytes || payload_bytes != block.bytes - kHeaderBytes) {
      Fail(absl::StrCat("block at byte ", block.offset, " says ", payload_bytes,
                        " bytes, not ", block.bytes - kHeaderBytes, " as written"));
      return false;
    }
    const std::string_view payload(p + kHeaderBytes, payload_bytes);
    if (Crc32(payload) != DecodeFixed32(p + 4)) {
      Fail(absl::StrCat("block at byte ", block.offset, " fails its checksum"));
      return false;
    }
    payloads_.emplace_back(payload.data(), payload.size());
  }
  next_block_ = last + 1;
  payload_ = 0;
  in_ = payloads_[0];
  entries_in_payload_ = 0;
  return true;
}

bool SortedRunReader::Load() {
  valid_ = false;
  while (in_.empty()) {
    if (!payloads_.empty()) {
      // A block used up: it must have held what was written into it.
      const SortedRun::Block& done = run_.blocks[first_loaded_ + payload_];
      if (entries_in_payload_ != done.entries) {
        Fail(absl::StrCat("block at byte ", done.offset, " holds ", entries_in_payload_,
                          " entries, not ", done.entries, " as written"));
        return false;
      }
      if (payload_ + 1 < payloads_.size()) {
        in_ = payloads_[++payload_];
        entries_in_payload_ = 0;
        continue;
      }
    }
    if (!ReadAhead()) return false;
  }
  std::string_view rest(in_.data(), in_.size());
  // field := varint32(|bytes|) bytes, for the key and then the value.
  auto next_field = [&](rocksdb::Slice* field) {
    uint32_t bytes = 0;
    if (!GetVarint32(&rest, &bytes) || rest.size() < bytes) {
      Fail(absl::StrCat("an entry of block ", first_loaded_ + payload_ + 1, " is cut short"));
      return false;
    }
    *field = rocksdb::Slice(rest.data(), bytes);
    rest.remove_prefix(bytes);
    return true;
  };
  if (!next_field(&key_) || !next_field(&value_)) return false;
  in_ = rocksdb::Slice(rest.data(), rest.size());
  ++entries_in_payload_;
  valid_ = true;
  return true;
}

}  // namespace carelog::internal
