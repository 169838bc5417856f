// A stored value (and key) through the store's decoding: what a damaged or
// hostile disk gives back. Properties: never crashes; a value that decodes
// re-encodes to the same bytes; a leaf that decodes re-encodes to itself.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "store/record_format.h"

using namespace carelog;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto rec = format::DecodeRecord(bytes);
  if (rec.ok()) {
    if (format::EncodeRecord(*rec) != bytes) std::abort();
  }
  auto leaf = format::DecodeLeaf(bytes);
  if (leaf.ok()) {
    if (format::EncodeLeaf(*leaf) != bytes) std::abort();
  }
  (void)format::DecodeRecordKey(bytes);
  (void)format::DecodeStreamKey(bytes);
  (void)format::DecodeTreeNodeKey(bytes);
  (void)format::DecodeFixed64BE(bytes);
  if (auto k = format::DecodeRecordKey(bytes); k.ok()) {
    if (format::RecordKey(*k) != bytes) std::abort();
  }
  if (auto k = format::DecodeStreamKey(bytes); k.ok()) {
    if (format::StreamKey(k->first, k->second) != bytes) std::abort();
  }
  return 0;
}
