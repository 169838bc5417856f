// The durable head: the tree head (SIZE:ROOT) of the last acknowledged
// durable append, kept in a small file beside the RocksDB files, so that a
// database that reopens shorter than, or different from, what was
// acknowledged (a damaged write-ahead log, a truncated MANIFEST, a lost
// table file, records removed behind the store's back) is refused instead of
// answered from. The byte format is at the top of head_file.cc.
#ifndef CARELOG_STORE_HEAD_FILE_H_
#define CARELOG_STORE_HEAD_FILE_H_

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "store/event_store.h"

namespace carelog {

// DIR/carelog.head.
inline constexpr char kHeadFileName[] = "carelog.head";

// SIZE:ROOTHEX, as `carelog head` prints it.
std::string FormatTreeHead(const TreeHead& head);
// Parses SIZE:ROOTHEX; false if malformed.
[[nodiscard]] bool ParseTreeHead(std::string_view text, TreeHead* out);

// The head recorded in `dir`'s head file; nullopt when there is none (a store
// written before carelog kept one, or a fresh directory). kDataLoss naming the
// file when it exists but is not a well-formed head file (damaged);
// kInternal when it cannot be read.
[[nodiscard]] absl::StatusOr<std::optional<TreeHead>> ReadHeadFile(const std::string& dir);

// Replaces `dir`'s head file atomically and durably: writes a temporary file
// (owner-only, 0600), fsyncs it, renames it over the head file and fsyncs the
// directory, so that after a crash the file holds either the old head or the
// new one, never a mixture. kResourceExhausted when the disk is full,
// kInternal for any other failure (the old head file is then left as it was).
[[nodiscard]] absl::Status WriteHeadFile(const std::string& dir, const TreeHead& head);

}  // namespace carelog

#endif  // CARELOG_STORE_HEAD_FILE_H_
