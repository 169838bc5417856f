// The durable head: the tree head (SIZE:ROOT) of the last acknowledged
// durable append, kept in a small file beside the RocksDB files, so that a
// database that reopens shorter than, or different from, what was
// acknowledged (a damaged write-ahead log, a truncated MANIFEST, a lost
// table file, records removed behind the store's back) is refused instead of
// answered from. The byte format is at the top of head_file.cc.
#ifndef CARELOG_STORE_HEAD_FILE_H_
#define CARELOG_STORE_HEAD_FILE_H_

#include <memory>
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

// Replaces `dir`'s head file atomically and durably, both slots holding
// `head`: writes a temporary file (owner-only, 0600), fsyncs it, renames it
// over the head file and fsyncs the directory, so that after a crash the file
// is either the old one or the new one. For creating the file (and restore);
// a store that appends uses HeadFileWriter. kResourceExhausted when the disk
// is full, kInternal for any other failure (the old file is then untouched).
[[nodiscard]] absl::Status WriteHeadFile(const std::string& dir, const TreeHead& head);

// Moves the head of an existing head file forward at the cost of one
// fdatasync: each update overwrites the slot that does not hold the newest
// head, in place (the file's size and name never change, so no directory or
// inode metadata needs syncing). A write torn by a power cut damages only
// that slot; the other still holds the previous head, which ReadHeadFile
// then returns. Not thread-safe: one writer at a time.
class HeadFileWriter {
 public:
  // Opens `dir`'s head file, which must exist and be readable (kDataLoss as
  // ReadHeadFile otherwise; kNotFound if absent).
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<HeadFileWriter>> Open(
      const std::string& dir);
  ~HeadFileWriter();
  HeadFileWriter(const HeadFileWriter&) = delete;
  HeadFileWriter& operator=(const HeadFileWriter&) = delete;

  // Writes `head` into the older slot and fdatasyncs. kResourceExhausted /
  // kInternal on failure (the newest slot is then untouched).
  [[nodiscard]] absl::Status Update(const TreeHead& head);

 private:
  HeadFileWriter(std::string path, int fd, int next_slot)
      : path_(std::move(path)), fd_(fd), next_slot_(next_slot) {}
  std::string path_;
  int fd_;
  int next_slot_;
};

}  // namespace carelog

#endif  // CARELOG_STORE_HEAD_FILE_H_
