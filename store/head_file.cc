// The durable head file, DIR/carelog.head: exactly 8192 bytes, two slots of
// 4096 bytes, each in its own page so that writing one never rewrites the
// other.
//
//   head-file := slot slot
//   slot      := "carelog-head 1" LF
//                "head " SIZE ":" ROOTHEX LF
//                "sha256 " CHECKHEX LF
//                NUL...                 (padding to 4096 bytes)
//   SIZE      := decimal, no sign or leading zeros ("0" for an empty log)
//   ROOTHEX   := 64 lowercase hex digits: the RFC 9162 Merkle root of the
//                first SIZE records (see record_format.cc), as `carelog head`
//                prints it
//   CHECKHEX  := 64 lowercase hex digits: SHA-256 of the slot's first two
//                lines, newlines included
//
// The file's head is that of the valid slot (check line matches, padding all
// NUL) with the larger SIZE. Updates overwrite the other slot in place and
// fdatasync (HeadFileWriter), so a write torn by a power cut leaves the
// previous head readable; the file is created (and restored) whole by
// write-temporary, fsync, rename, fsync directory. A file with no valid slot,
// or of another size, is damaged. The check line tells a damaged file from a
// head that disagrees with the log: the first is "head file damaged", the
// second "the log lost or changed acknowledged events".
#include "store/head_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "store/base/errno_status.h"
#include "store/base/sha256.h"
#include "store/base/status_macros.h"
#include "store/merkle.h"

namespace carelog {
namespace {

constexpr char kFirstLine[] = "carelog-head 1\n";

}  // namespace

std::string FormatTreeHead(const TreeHead& head) {
  return absl::StrCat(head.size, ":", merkle::ToHex(head.root));
}

bool ParseTreeHead(std::string_view text, TreeHead* out) {
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  const std::string_view size = text.substr(0, colon);
  if (size.size() > 1 && size[0] == '0') return false;
  for (char c : size) {
    if (c < '0' || c > '9') return false;
  }
  return absl::SimpleAtoi(std::string(size), &out->size) &&
         merkle::FromHex(text.substr(colon + 1), &out->root);
}

namespace {

constexpr size_t kSlotBytes = 4096;
constexpr size_t kFileBytes = 2 * kSlotBytes;

std::string SlotBytes(const TreeHead& head) {
  std::string text = absl::StrCat(kFirstLine, "head ", FormatTreeHead(head), "\n");
  absl::StrAppend(&text, "sha256 ", Sha256Hex(text), "\n");
  text.resize(kSlotBytes, '\0');
  return text;
}

// The head in one slot, or nullopt if the slot is not valid.
std::optional<TreeHead> ParseSlot(std::string_view slot) {
  if (slot.rfind(kFirstLine, 0) != 0) return std::nullopt;
  const size_t head_start = sizeof(kFirstLine) - 1;
  const size_t head_end = slot.find('\n', head_start);
  if (head_end == std::string_view::npos) return std::nullopt;
  const size_t check_end = slot.find('\n', head_end + 1);
  if (check_end == std::string_view::npos) return std::nullopt;
  for (size_t i = check_end + 1; i < slot.size(); ++i) {
    if (slot[i] != '\0') return std::nullopt;
  }
  const std::string_view head_line = slot.substr(head_start, head_end - head_start);
  const std::string_view check_line = slot.substr(head_end + 1, check_end - head_end - 1);
  if (check_line.rfind("sha256 ", 0) != 0 ||
      check_line.substr(7) != Sha256Hex(slot.substr(0, head_end + 1))) {
    return std::nullopt;
  }
  TreeHead head;
  if (head_line.rfind("head ", 0) != 0 || !ParseTreeHead(head_line.substr(5), &head)) {
    return std::nullopt;
  }
  return head;
}

// Reads the whole file at `path`: its bytes, nullopt if absent.
absl::StatusOr<std::optional<std::string>> ReadSmallFile(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<std::string>();
    return ErrnoStatus(absl::StrCat("reading ", path), errno);
  }
  std::string text;
  char buf[4096];
  for (;;) {
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      close(fd);
      return ErrnoStatus(absl::StrCat("reading ", path), err);
    }
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > kFileBytes) break;  // too long: damaged, no need for more
  }
  close(fd);
  return std::optional<std::string>(std::move(text));
}

// The two slots' heads of a file's bytes; kDataLoss if the file is damaged.
absl::StatusOr<std::pair<std::optional<TreeHead>, std::optional<TreeHead>>> ParseFile(
    const std::string& dir, const std::string& path, std::string_view bytes) {
  auto damaged = [&](std::string_view why) {
    return absl::DataLossError(absl::StrCat("store ", dir, " is damaged: its durable head file ",
                                            path, " ", std::string(why),
                                            "; restore from backup (carelog restore)"));
  };
  if (bytes.size() != kFileBytes) {
    return damaged(absl::StrCat("has ", bytes.size(), " bytes, not ", kFileBytes));
  }
  auto a = ParseSlot(bytes.substr(0, kSlotBytes));
  auto b = ParseSlot(bytes.substr(kSlotBytes));
  if (!a.has_value() && !b.has_value()) return damaged("holds no valid head (both slots fail their checks)");
  return std::make_pair(a, b);
}

}  // namespace

absl::StatusOr<std::optional<TreeHead>> ReadHeadFile(const std::string& dir) {
  const std::string path = (std::filesystem::path(dir) / kHeadFileName).string();
  ASSIGN_OR_RETURN(std::optional<std::string> bytes, ReadSmallFile(path));
  if (!bytes.has_value()) return std::optional<TreeHead>();
  ASSIGN_OR_RETURN(auto slots, ParseFile(dir, path, *bytes));
  const auto& [a, b] = slots;
  if (!a.has_value()) return b;
  if (!b.has_value()) return a;
  return a->size >= b->size ? a : b;
}

absl::Status WriteHeadFile(const std::string& dir, const TreeHead& head) {
  namespace fs = std::filesystem;
  const std::string path = (fs::path(dir) / kHeadFileName).string();
  const std::string tmp = path + ".tmp";
  const std::string slot = SlotBytes(head);
  const std::string text = slot + slot;

  const int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return ErrnoStatus(absl::StrCat("writing ", tmp), errno);
  absl::Status status;
  for (size_t done = 0; done < text.size();) {
    const ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      status = ErrnoStatus(absl::StrCat("writing ", tmp), errno);
      break;
    }
    done += static_cast<size_t>(n);
  }
  // A file left earlier under another umask or by another tool: owner-only
  // whatever.
  if (status.ok() && fchmod(fd, 0600) != 0) {
    status = ErrnoStatus(absl::StrCat("setting permissions of ", tmp), errno);
  }
  if (status.ok() && fsync(fd) != 0) status = ErrnoStatus(absl::StrCat("syncing ", tmp), errno);
  if (close(fd) != 0 && status.ok()) status = ErrnoStatus(absl::StrCat("closing ", tmp), errno);
  if (status.ok() && rename(tmp.c_str(), path.c_str()) != 0) {
    status = ErrnoStatus(absl::StrCat("replacing ", path), errno);
  }
  if (!status.ok()) {
    unlink(tmp.c_str());
    return status;
  }
  // The rename is durable only once the directory is.
  const int dfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return ErrnoStatus(absl::StrCat("syncing ", dir), errno);
  if (fsync(dfd) != 0) status = ErrnoStatus(absl::StrCat("syncing ", dir), errno);
  close(dfd);
  return status;
}

absl::StatusOr<std::unique_ptr<HeadFileWriter>> HeadFileWriter::Open(const std::string& dir) {
  const std::string path = (std::filesystem::path(dir) / kHeadFileName).string();
  const int fd = open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return absl::NotFoundError(absl::StrCat("no head file ", path));
    return ErrnoStatus(absl::StrCat("opening ", path), errno);
  }
  auto bytes = ReadSmallFile(path);
  absl::StatusOr<std::pair<std::optional<TreeHead>, std::optional<TreeHead>>> slots =
      absl::NotFoundError(absl::StrCat("no head file ", path));
  if (!bytes.ok()) {
    slots = bytes.status();
  } else if (bytes->has_value()) {
    slots = ParseFile(dir, path, **bytes);
  }
  if (!slots.ok()) {
    close(fd);
    return slots.status();
  }
  const auto& [a, b] = *slots;
  // Overwrite an invalid slot first, else the one with the older head.
  const int next = !a.has_value() ? 0 : !b.has_value() ? 1 : (a->size <= b->size ? 0 : 1);
  return std::unique_ptr<HeadFileWriter>(new HeadFileWriter(path, fd, next));
}

HeadFileWriter::~HeadFileWriter() { close(fd_); }

absl::Status HeadFileWriter::Update(const TreeHead& head) {
  const std::string slot = SlotBytes(head);
  const off_t offset = static_cast<off_t>(next_slot_) * static_cast<off_t>(kSlotBytes);
  for (size_t done = 0; done < slot.size();) {
    const ssize_t n = pwrite(fd_, slot.data() + done, slot.size() - done,
                             offset + static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoStatus(absl::StrCat("writing ", path_), errno);
    done += static_cast<size_t>(n);
  }
  if (fdatasync(fd_) != 0) return ErrnoStatus(absl::StrCat("syncing ", path_), errno);
  next_slot_ = 1 - next_slot_;
  return absl::OkStatus();
}

}  // namespace carelog
