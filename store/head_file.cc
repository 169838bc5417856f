// The durable head file, DIR/carelog.head: text, three lines.
//
//   head-file := "carelog-head 1" LF
//                "head " SIZE ":" ROOTHEX LF
//                "sha256 " CHECKHEX LF
//   SIZE      := decimal, no sign or leading zeros ("0" for an empty log)
//   ROOTHEX   := 64 lowercase hex digits: the RFC 9162 Merkle root of the
//                first SIZE records (see record_format.cc), as `carelog head`
//                prints it
//   CHECKHEX  := 64 lowercase hex digits: SHA-256 of the two lines above,
//                newlines included
//
// The check line tells a damaged file (bit rot, a partial copy) from a head
// that disagrees with the log: the first is "head file damaged", the second
// "the log lost or changed acknowledged events". Nothing else may be in the
// file. The store writes it after every durable commit (see
// EventStore::CommitGroup), always by write-temporary, fsync, rename, fsync
// directory; it is never edited in place.
#include "store/head_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <openssl/sha.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "store/merkle.h"

namespace carelog {
namespace {

constexpr char kFirstLine[] = "carelog-head 1\n";

std::string Sha256Hex(std::string_view bytes) {
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), md);
  Hash256 h;
  std::memcpy(h.data(), md, h.size());
  return merkle::ToHex(h);
}

absl::Status ErrnoError(const std::string& what, int err) {
  std::string msg = absl::StrCat(what, ": ", std::strerror(err));
  if (err == ENOSPC || err == EDQUOT) {
    return absl::ResourceExhaustedError(absl::StrCat(msg, " (disk full)"));
  }
  return absl::InternalError(msg);
}

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

absl::StatusOr<std::optional<TreeHead>> ReadHeadFile(const std::string& dir) {
  const std::string path = (std::filesystem::path(dir) / kHeadFileName).string();
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<TreeHead>();
    return ErrnoError(absl::StrCat("reading ", path), errno);
  }
  std::string text;
  char buf[512];
  for (;;) {
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      close(fd);
      return ErrnoError(absl::StrCat("reading ", path), err);
    }
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > 4096) break;  // far more than a head file holds
  }
  close(fd);
  auto damaged = [&](std::string_view why) {
    return absl::DataLossError(absl::StrCat("store ", dir, " is damaged: its durable head file ",
                                            path, " ", std::string(why), "; restore from backup"));
  };
  if (text.rfind(kFirstLine, 0) != 0) return damaged("is not a carelog head file");
  const size_t head_start = sizeof(kFirstLine) - 1;
  const size_t head_end = text.find('\n', head_start);
  if (head_end == std::string::npos) return damaged("is truncated");
  const size_t check_end = text.find('\n', head_end + 1);
  if (check_end == std::string::npos || check_end + 1 != text.size()) {
    return damaged("is truncated or has trailing bytes");
  }
  const std::string_view head_line =
      std::string_view(text).substr(head_start, head_end - head_start);
  const std::string_view check_line =
      std::string_view(text).substr(head_end + 1, check_end - head_end - 1);
  if (check_line.rfind("sha256 ", 0) != 0 ||
      check_line.substr(7) != Sha256Hex(std::string_view(text).substr(0, head_end + 1))) {
    return damaged("fails its checksum");
  }
  TreeHead head;
  if (head_line.rfind("head ", 0) != 0 || !ParseTreeHead(head_line.substr(5), &head)) {
    return damaged("has a malformed head line");
  }
  return std::optional<TreeHead>(head);
}

absl::Status WriteHeadFile(const std::string& dir, const TreeHead& head) {
  namespace fs = std::filesystem;
  const std::string path = (fs::path(dir) / kHeadFileName).string();
  const std::string tmp = path + ".tmp";
  std::string text = absl::StrCat(kFirstLine, "head ", FormatTreeHead(head), "\n");
  absl::StrAppend(&text, "sha256 ", Sha256Hex(text), "\n");

  const int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return ErrnoError(absl::StrCat("writing ", tmp), errno);
  absl::Status status;
  for (size_t done = 0; done < text.size();) {
    const ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      status = ErrnoError(absl::StrCat("writing ", tmp), errno);
      break;
    }
    done += static_cast<size_t>(n);
  }
  // A file created earlier by another umask or tool: owner-only whatever.
  if (status.ok() && fchmod(fd, 0600) != 0) {
    status = ErrnoError(absl::StrCat("setting permissions of ", tmp), errno);
  }
  if (status.ok() && fdatasync(fd) != 0) status = ErrnoError(absl::StrCat("syncing ", tmp), errno);
  if (close(fd) != 0 && status.ok()) status = ErrnoError(absl::StrCat("closing ", tmp), errno);
  if (status.ok() && rename(tmp.c_str(), path.c_str()) != 0) {
    status = ErrnoError(absl::StrCat("replacing ", path), errno);
  }
  if (!status.ok()) {
    unlink(tmp.c_str());
    return status;
  }
  // The rename is durable only once the directory is.
  const int dfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return ErrnoError(absl::StrCat("syncing ", dir), errno);
  if (fsync(dfd) != 0) status = ErrnoError(absl::StrCat("syncing ", dir), errno);
  close(dfd);
  return status;
}

}  // namespace carelog
