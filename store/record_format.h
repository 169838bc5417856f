// The store's byte formats: keys and the record value. The grammar is at the
// top of record_format.cc, which owns it. Internal to store/ (and its tests).
#ifndef CARELOG_STORE_RECORD_FORMAT_H_
#define CARELOG_STORE_RECORD_FORMAT_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace carelog {

using Hash256 = std::array<uint8_t, 32>;

// The store format this build writes and the newest it can read.
inline constexpr int kStoreFormatVersion = 1;

// One appended record, decoded. `payload` is opaque to the store.
struct StoredRecord {
  uint64_t position = 0;         // global, gap-free, from 1
  int64_t recorded_at_micros = 0;  // Unix microseconds, from the store's clock
  uint64_t version = 0;          // the stream's version after this record, from 1
  std::string stream;
  std::string id;
  std::string payload;
  Hash256 chain{};               // hash chain value after this record
  // In an encrypted store (meta "sealed"), the bytes the log holds and the
  // leaf commits to: `payload` sealed under the stream's data key. A reader
  // returns `payload` opened and keeps these for the leaf (EncodeLeaf uses
  // them when set). Empty in a plain store.
  std::string sealed_payload;
  // The stream was erased (EventStore::Erase): its data key is destroyed, so
  // `payload` is empty and what the record said is gone; position, time,
  // stream, id and the sealed bytes (for the leaf) remain.
  bool erased = false;
};

namespace format {

// Key builders.
std::string MetaKey(std::string_view name);
std::string RecordKey(uint64_t position);
std::string StreamKey(std::string_view stream, uint64_t version);
std::string StreamPrefix(std::string_view stream);
std::string IdKey(std::string_view id);
std::string SettingKey(std::string_view name);
std::string CheckpointKey(std::string_view name);
// 'T' level:u8 fixed64be(index): the hash of complete Merkle subtree
// (level, index) (see merkle.h).
std::string TreeNodeKey(int level, uint64_t index);

inline constexpr char kRecordTag = 'E';
inline constexpr char kStreamTag = 'S';
inline constexpr char kIdTag = 'I';
inline constexpr char kSettingTag = 'C';
inline constexpr char kTreeTag = 'T';
inline constexpr char kMetaTag = 'M';
// 'K' varint32(len) stream: the stream's wrapped data key (encrypted stores,
// store/internal/key_ring.h).
inline constexpr char kDataKeyTag = 'K';

// Meta "tree" = "1": every record's Merkle subtrees are stored. Absent on a
// store written before the tree existed (it is then built at open).
inline constexpr char kTreeMeta[] = "tree";

// Meta "sealed" = the hex id of the master key (store/master_key.h) whose
// data keys seal every payload; absent in a plain store. Set when a store
// with an empty log is first opened read-write with a master key.
inline constexpr char kSealedMeta[] = "sealed";

// Decodes a RecordKey; kDataLoss if malformed.
[[nodiscard]] absl::StatusOr<uint64_t> DecodeRecordKey(std::string_view key);
// Decodes a StreamKey into (stream, version); kDataLoss if malformed.
[[nodiscard]] absl::StatusOr<std::pair<std::string, uint64_t>> DecodeStreamKey(std::string_view key);

// Decodes a TreeNodeKey into (level, index); kDataLoss if malformed.
[[nodiscard]] absl::StatusOr<std::pair<int, uint64_t>> DecodeTreeNodeKey(std::string_view key);

std::string EncodeFixed64BE(uint64_t v);
[[nodiscard]] absl::StatusOr<uint64_t> DecodeFixed64BE(std::string_view bytes);

// The canonical bytes of a record: what the hash chain and Merkle tree
// commit to (everything but the chain value and checksum).
std::string EncodeLeaf(const StoredRecord& r);

// Parses canonical leaf bytes (as EncodeLeaf makes them) into a record
// without chain; kDataLoss if they are not exactly one leaf. For checking a
// proof away from any store.
[[nodiscard]] absl::StatusOr<StoredRecord> DecodeLeaf(std::string_view leaf);

// leaf || chain || checksum. `r.chain` must already be set.
std::string EncodeRecord(const StoredRecord& r);

// The same bytes built in place, for the append path, which encodes a whole
// group's records into one buffer without a StoredRecord (and its three
// string copies) per record: AppendLeaf appends EncodeLeaf's bytes to *out;
// AppendRecordTrailer then appends chain and checksum to the leaf that starts
// at out[leaf_start], making EncodeRecord's bytes. MaxLeafSize bounds the
// leaf's length, for reserving.
void AppendLeaf(uint64_t position, int64_t recorded_at_micros, uint64_t version,
                std::string_view stream, std::string_view id, std::string_view payload,
                std::string* out);
void AppendRecordTrailer(const Hash256& chain, size_t leaf_start, std::string* out);
// Appends StreamKey(stream, version)'s bytes to *out.
void AppendStreamKey(std::string_view stream, uint64_t version, std::string* out);
size_t MaxLeafSize(size_t stream, size_t id, size_t payload);

// Parses and checks a stored value (magic, format, lengths, checksum).
// kDataLoss naming what is wrong; never crashes on arbitrary bytes.
[[nodiscard]] absl::StatusOr<StoredRecord> DecodeRecord(std::string_view value);
// The same into `*r`, whose strings' capacity is reused (a scan decodes
// every record into one): every field is set (sealed_payload emptied,
// erased false). `*r` is unspecified after an error.
[[nodiscard]] absl::Status DecodeRecordInto(std::string_view value, StoredRecord* r);

// The chain value after a record: SHA-256(prev || leaf).
Hash256 ChainHash(const Hash256& prev, std::string_view leaf);

}  // namespace format
}  // namespace carelog

#endif  // CARELOG_STORE_RECORD_FORMAT_H_
