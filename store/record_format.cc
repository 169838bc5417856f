// Byte formats of a carelog store. Everything lives in RocksDB's default
// column family; the first byte of a key says what it is.
//
//   key :=
//       'M' name                         -> meta value
//     | 'E' fixed64be(position)          -> record              (the log)
//     | 'S' varint32(len) stream fixed64be(version) -> fixed64be(position)
//     | 'I' id                           -> fixed64be(position) (idempotency)
//     | 'C' name                         -> setting bytes (written alone, or
//                                           with records in one atomic batch:
//                                           AppendRequest::settings)
//     | 'P' name                         -> checkpoint bytes
//     | 'T' level:u8 fixed64be(index)    -> subtree_hash        (Merkle tree)
//     | 'K' varint32(len) stream         -> wrapped data key    (store/master_key.h;
//                                           sealed stores only)
//
//   meta "format" := decimal ASCII store format version ("1")
//   meta "sealed" := hex(key_id(master key))  every payload is sealed (below);
//                    absent in a plain store
//   meta "tree"   := "1"  the store keeps the Merkle tree below; absent only
//                    on stores written before it existed, whose tree is then
//                    built from the log when first opened read-write
//
// Big-endian fixed64 in keys so that RocksDB's bytewise order is numeric
// order: the log scans by position, a stream by version. The stream name is
// length-prefixed so that one stream's prefix is never another's ("C-1" and
// "C-10").
//
//   record := leaf chain checksum
//   leaf   := magic:u8(0xCE) format:u8(1)
//             position:fixed64 recorded_at_micros:fixed64 version:fixed64
//             varint32(len) stream varint32(len) id varint32(len) payload
//   chain    := SHA-256(prev_chain || leaf)    32 bytes; prev_chain of
//               position 1 is 32 zero bytes
//   checksum := crc32(leaf || chain)           fixed32
//
// In a sealed store (meta "sealed") `payload` in the leaf is
//
//   payload := Seal(data_key(stream), "carelog payload" 0x00 stream 0x00 id,
//                   the appender's bytes)            (store/sealing.h)
//
// so the chain, the tree, verify and every proof work on the ciphertext with
// no key, and destroying a stream's 'K' key leaves them valid and its
// payloads unreadable. The associated data binds a payload to its stream and
// id: one moved to another record does not open.
//
// Fixed-width integers in values are little-endian. `leaf` is the canonical
// form of a record: it is what tamper evidence commits to, and it holds the
// record's own position, stream and version so that a value moved to another
// key, or swapped with another, no longer matches its key. The checksum
// catches a flipped byte on any single read without needing the previous
// record; the chain (checked by verify) catches a rewritten record whose
// checksum was recomputed.
//
// Merkle tree (RFC 6962 / RFC 9162 §2.1) over the same leaves, leaf index
// = position - 1:
//
//   leaf_hash(p)         := SHA-256(0x00 || leaf(p))
//   node_hash(l, r)      := SHA-256(0x01 || l || r)
//   subtree_hash(0, i)   := leaf_hash(i + 1)
//   subtree_hash(L+1, i) := node_hash(subtree_hash(L, 2i), subtree_hash(L, 2i+1))
//
// Subtree (level L, index i) covers positions i*2^L + 1 .. (i+1)*2^L. Its
// 'T' key is written in the same WriteBatch as the record that completes it
// (the record at position (i+1)*2^L), so the tree is exactly as long as the
// log: after position n the keys present are every (L, i) with
// (i+1)*2^L <= n, i.e. n leaves plus, amortized, one node per record. The
// root of the tree of size n (MTH, RFC 9162 §2.1.1) folds the subtrees of the
// right edge, one per set bit of n, right to left:
//
//   root(0) := SHA-256("")
//   root(n) := node_hash(subtree_hash(L_k, ...), ... node_hash(..., subtree_hash(L_0, n/2^L_0 - 1)))
//              for the set bits L_0 < ... < L_k of n
//
// and inclusion and consistency proofs read O(log n) 'T' keys. Stored as
// level:u8 then big-endian index so that one level is one contiguous,
// ordered key range (verify scans each level in order).
#include "store/record_format.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "store/base/coding.h"
#include "store/base/crc32.h"
#include "store/base/sha256.h"

namespace carelog::format {
namespace {

constexpr uint8_t kMagic = 0xCE;
constexpr size_t kFixedHeader = 2 + 8 + 8 + 8;
constexpr size_t kTrailer = 32 + 4;

// zlib's crc32 (the format's), folded with PCLMULQDQ where the CPU has it.
uint32_t Crc(std::string_view bytes) { return Crc32(bytes); }

// 'S' varint32(len) stream: the part of a stream's keys that every version shares.
void AppendStreamPrefix(std::string_view stream, std::string* out) {
  out->push_back(kStreamTag);
  PutVarint32(out, static_cast<uint32_t>(stream.size()));
  out->append(stream);
}

}  // namespace

std::string EncodeFixed64BE(uint64_t v) {
  std::string out;
  PutFixed64BE(&out, v);
  return out;
}

absl::StatusOr<uint64_t> DecodeFixed64BE(std::string_view bytes) {
  if (bytes.size() != 8) {
    return absl::DataLossError(absl::StrCat("expected 8-byte position, got ", bytes.size(), " bytes"));
  }
  return carelog::DecodeFixed64BE(bytes.data());
}

std::string MetaKey(std::string_view name) { return absl::StrCat("M", std::string(name)); }
std::string RecordKey(uint64_t position) { return absl::StrCat("E", EncodeFixed64BE(position)); }
std::string StreamPrefix(std::string_view stream) {
  std::string k;
  AppendStreamPrefix(stream, &k);
  return k;
}
std::string StreamKey(std::string_view stream, uint64_t version) {
  std::string k;
  AppendStreamKey(stream, version, &k);
  return k;
}
void AppendStreamKey(std::string_view stream, uint64_t version, std::string* out) {
  AppendStreamPrefix(stream, out);
  PutFixed64BE(out, version);
}
std::string IdKey(std::string_view id) { return absl::StrCat("I", std::string(id)); }
std::string SettingKey(std::string_view name) { return absl::StrCat("C", std::string(name)); }
std::string CheckpointKey(std::string_view name) { return absl::StrCat("P", std::string(name)); }
std::string TreeNodeKey(int level, uint64_t index) {
  std::string k(1, kTreeTag);
  k.push_back(static_cast<char>(static_cast<uint8_t>(level)));
  k.append(EncodeFixed64BE(index));
  return k;
}

absl::StatusOr<std::pair<int, uint64_t>> DecodeTreeNodeKey(std::string_view key) {
  if (key.size() != 10 || key[0] != kTreeTag || static_cast<uint8_t>(key[1]) >= 64) {
    return absl::DataLossError("malformed tree node key");
  }
  auto index = DecodeFixed64BE(key.substr(2));
  if (!index.ok()) return index.status();
  return std::make_pair(static_cast<int>(static_cast<uint8_t>(key[1])), *index);
}

absl::StatusOr<uint64_t> DecodeRecordKey(std::string_view key) {
  if (key.size() != 9 || key[0] != kRecordTag) {
    return absl::DataLossError("malformed record key");
  }
  return DecodeFixed64BE(key.substr(1));
}

absl::StatusOr<std::pair<std::string, uint64_t>> DecodeStreamKey(std::string_view key) {
  if (key.empty() || key[0] != kStreamTag) return absl::DataLossError("malformed stream key");
  key.remove_prefix(1);
  std::string stream;
  if (!GetLengthPrefixed(&key, &stream) || key.size() != 8) {
    return absl::DataLossError("malformed stream key");
  }
  auto version = DecodeFixed64BE(key);
  if (!version.ok()) return version.status();
  return std::make_pair(std::move(stream), *version);
}

void AppendLeaf(uint64_t position, int64_t recorded_at_micros, uint64_t version,
                std::string_view stream, std::string_view id, std::string_view payload,
                std::string* out) {
  out->push_back(static_cast<char>(kMagic));
  out->push_back(static_cast<char>(kStoreFormatVersion));
  PutFixed64(out, position);
  PutFixed64(out, static_cast<uint64_t>(recorded_at_micros));
  PutFixed64(out, version);
  PutVarint32(out, static_cast<uint32_t>(stream.size()));
  out->append(stream);
  PutVarint32(out, static_cast<uint32_t>(id.size()));
  out->append(id);
  PutVarint32(out, static_cast<uint32_t>(payload.size()));
  out->append(payload);
}

size_t MaxLeafSize(size_t stream, size_t id, size_t payload) {
  return kFixedHeader + 15 + stream + id + payload;
}

void AppendRecordTrailer(const Hash256& chain, size_t leaf_start, std::string* out) {
  out->append(reinterpret_cast<const char*>(chain.data()), chain.size());
  PutFixed32(out, Crc(std::string_view(*out).substr(leaf_start)));
}

std::string EncodeLeaf(const StoredRecord& r) {
  const std::string& payload = r.sealed_payload.empty() ? r.payload : r.sealed_payload;
  std::string out;
  out.reserve(MaxLeafSize(r.stream.size(), r.id.size(), payload.size()));
  AppendLeaf(r.position, r.recorded_at_micros, r.version, r.stream, r.id, payload, &out);
  return out;
}

std::string EncodeRecord(const StoredRecord& r) {
  std::string out = EncodeLeaf(r);
  AppendRecordTrailer(r.chain, 0, &out);
  return out;
}

absl::StatusOr<StoredRecord> DecodeRecord(std::string_view value) {
  StoredRecord r;
  if (absl::Status s = DecodeRecordInto(value, &r); !s.ok()) return s;
  return r;
}

absl::Status DecodeRecordInto(std::string_view value, StoredRecord* out) {
  if (value.size() < kFixedHeader + 3 + kTrailer) {
    return absl::DataLossError(absl::StrCat("record too short (", value.size(), " bytes)"));
  }
  const std::string_view body = value.substr(0, value.size() - 4);
  const uint32_t stored_crc = DecodeFixed32(value.data() + value.size() - 4);
  if (Crc(body) != stored_crc) return absl::DataLossError("record checksum mismatch");
  if (static_cast<uint8_t>(value[0]) != kMagic) return absl::DataLossError("bad record magic");
  if (static_cast<uint8_t>(value[1]) < 1) {
    return absl::DataLossError("record format 0 was never written");
  }
  if (static_cast<uint8_t>(value[1]) > kStoreFormatVersion) {
    return absl::DataLossError(absl::StrCat("record format ", static_cast<int>(value[1]),
                                            " is newer than this build reads"));
  }
  StoredRecord& r = *out;
  r.position = DecodeFixed64(value.data() + 2);
  r.recorded_at_micros = static_cast<int64_t>(DecodeFixed64(value.data() + 10));
  r.version = DecodeFixed64(value.data() + 18);
  std::string_view in = body.substr(kFixedHeader, body.size() - kFixedHeader - 32);
  if (!GetLengthPrefixed(&in, &r.stream) || !GetLengthPrefixed(&in, &r.id) ||
      !GetLengthPrefixed(&in, &r.payload) || !in.empty()) {
    return absl::DataLossError("record lengths do not add up");
  }
  std::memcpy(r.chain.data(), body.data() + body.size() - 32, 32);
  r.sealed_payload.clear();
  r.erased = false;
  return absl::OkStatus();
}

absl::StatusOr<StoredRecord> DecodeLeaf(std::string_view leaf) {
  if (leaf.size() < kFixedHeader + 3) return absl::DataLossError("leaf too short");
  if (static_cast<uint8_t>(leaf[0]) != kMagic) return absl::DataLossError("bad leaf magic");
  if (static_cast<uint8_t>(leaf[1]) < 1) {
    return absl::DataLossError("leaf format 0 was never written");
  }
  if (static_cast<uint8_t>(leaf[1]) > kStoreFormatVersion) {
    return absl::DataLossError(absl::StrCat("leaf format ", static_cast<int>(leaf[1]),
                                            " is newer than this build reads"));
  }
  StoredRecord r;
  r.position = DecodeFixed64(leaf.data() + 2);
  r.recorded_at_micros = static_cast<int64_t>(DecodeFixed64(leaf.data() + 10));
  r.version = DecodeFixed64(leaf.data() + 18);
  std::string_view in = leaf.substr(kFixedHeader);
  if (!GetLengthPrefixed(&in, &r.stream) || !GetLengthPrefixed(&in, &r.id) ||
      !GetLengthPrefixed(&in, &r.payload) || !in.empty()) {
    return absl::DataLossError("leaf lengths do not add up");
  }
  return r;
}

Hash256 ChainHash(const Hash256& prev, std::string_view leaf) {
  Sha256 h;
  h.Update(prev.data(), prev.size()).Update(leaf);
  return h.Finish();
}

}  // namespace carelog::format
