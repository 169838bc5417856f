#include "store/backup.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "rocksdb/db.h"
#include "rocksdb/utilities/checkpoint.h"
#include "store/base/errno_status.h"
#include "store/base/hex.h"
#include "store/base/sha256.h"
#include "store/base/status_macros.h"
#include "store/head_file.h"
#include "store/internal/open_checks.h"
#include "store/internal/store_internals.h"
#include "store/merkle.h"
#include "store/private_files.h"
#include "store/base/time_format.h"

namespace carelog {
namespace {

namespace fs = std::filesystem;

constexpr char kStoreSubdir[] = "store";

// A failed backup or restore leaves the store as it was: say so.
constexpr char kDiskFullHint[] = "disk full: free space and run it again; the store is untouched";

// Copies `from` to `to` (created, must not exist), fsyncs it, and returns its
// size and SHA-256.
absl::StatusOr<BackupFile> CopyAndHash(const std::string& from, const std::string& to) {
  const int in = open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return ErrnoStatus(absl::StrCat("opening ", from), errno, kDiskFullHint);
  // Owner-only, as the store's own files (store/private_files.h).
  const int out = open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (out < 0) {
    const int err = errno;
    close(in);
    return ErrnoStatus(absl::StrCat("creating ", to), err, kDiskFullHint);
  }
  Sha256 h;
  BackupFile f;
  std::vector<char> buf(1 << 20);
  absl::Status status;
  for (;;) {
    const ssize_t n = read(in, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      status = ErrnoStatus(absl::StrCat("reading ", from), errno, kDiskFullHint);
      break;
    }
    if (n == 0) break;
    h.Update(buf.data(), static_cast<size_t>(n));
    f.size += static_cast<uint64_t>(n);
    for (ssize_t done = 0; done < n;) {
      const ssize_t w = write(out, buf.data() + done, static_cast<size_t>(n - done));
      if (w < 0) {
        if (errno == EINTR) continue;
        status = ErrnoStatus(absl::StrCat("writing ", to), errno, kDiskFullHint);
        break;
      }
      done += w;
    }
    if (!status.ok()) break;
  }
  if (status.ok() && fsync(out) != 0) {
    status = ErrnoStatus(absl::StrCat("syncing ", to), errno, kDiskFullHint);
  }
  close(in);
  if (close(out) != 0 && status.ok()) {
    status = ErrnoStatus(absl::StrCat("closing ", to), errno, kDiskFullHint);
  }
  if (!status.ok()) return status;
  f.sha256_hex = HexOf(h.Finish());
  return f;
}

void SyncDir(const std::string& dir) {
  const int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    fsync(fd);
    close(fd);
  }
}

// Must not exist, or be an empty directory (a symbolic link to one will
// do). Returns whether it existed; kFailedPrecondition otherwise, naming it.
absl::StatusOr<bool> CheckEmptyTarget(const std::string& dir, std::string_view what) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) {
    // A symbolic link to nothing: creating the directory would fail with a
    // bare "File exists", which names neither the link nor its target.
    if (fs::is_symlink(fs::symlink_status(dir, ec))) {
      const fs::path target = fs::read_symlink(dir, ec);
      return absl::FailedPreconditionError(absl::StrCat(
          std::string(what), " ", dir, " is a symbolic link to ", target.string(),
          ", which does not exist: create that directory first, or give another path"));
    }
    return false;
  }
  if (!fs::is_directory(dir, ec)) {
    return absl::FailedPreconditionError(absl::StrCat(std::string(what), " ", dir, " is not a directory"));
  }
  if (!fs::is_empty(dir, ec)) {
    return absl::FailedPreconditionError(
        absl::StrCat(std::string(what), " ", dir, " is not empty: give a new or empty directory"));
  }
  return true;
}

// Removes what we wrote into `dir`; the directory itself only if we made it.
void Cleanup(const std::string& dir, bool existed) {
  std::error_code ec;
  if (existed) {
    for (const auto& e : fs::directory_iterator(dir, ec)) fs::remove_all(e.path(), ec);
  } else {
    fs::remove_all(dir, ec);
  }
}

// Sorted regular files under `dir`, relative names.
absl::StatusOr<std::vector<std::string>> ListFiles(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (it->is_directory(ec)) continue;
    out.push_back(fs::relative(it->path(), dir, ec).string());
  }
  if (ec) return absl::InternalError(absl::StrCat("listing ", dir, ": ", ec.message()));
  std::sort(out.begin(), out.end());
  return out;
}

void Step(const BackupProgress& p, std::string_view s) {
  if (p) p(s);
}

}  // namespace

std::string FormatBackupManifest(const BackupManifest& m) {
  std::string body = absl::StrCat("carelog-backup ", m.format, "\n", "store-format ",
                                  m.store_format, "\n", "created ",
                                  Rfc3339Utc(m.created),
                                  "\n", "head ", FormatTreeHead(m.head), "\n");
  for (const BackupFile& f : m.files) {
    absl::StrAppend(&body, "file ", f.size, " ", f.sha256_hex, " ", f.name, "\n");
  }
  return absl::StrCat(body, "end ", Sha256Hex(body), "\n");
}

absl::StatusOr<BackupManifest> ParseBackupManifest(std::string_view text) {
  auto bad = [](size_t line, std::string_view why) {
    return absl::DataLossError(
        absl::StrCat("backup manifest damaged at line ", line, ": ", std::string(why)));
  };
  const size_t end_pos = text.rfind("end ");
  if (end_pos == std::string_view::npos || (end_pos != 0 && text[end_pos - 1] != '\n')) {
    return absl::DataLossError("backup manifest damaged: no end line (truncated?)");
  }
  const std::string_view body = text.substr(0, end_pos);
  std::string_view end_line = text.substr(end_pos + 4);
  if (!end_line.empty() && end_line.back() == '\n') end_line.remove_suffix(1);
  if (end_line != Sha256Hex(body)) {
    return absl::DataLossError(
        "backup manifest damaged: its checksum does not match its contents (edited or "
        "corrupted)");
  }
  BackupManifest m;
  // absl::string_view is not std::string_view on Debian: split by hand.
  std::vector<std::string> lines;
  {
    std::istringstream in{std::string(body)};
    for (std::string l; std::getline(in, l);) {
      if (!l.empty()) lines.push_back(l);
    }
  }
  bool seen_head = false, seen_created = false;
  for (size_t i = 0; i < lines.size(); ++i) {
    const size_t n = i + 1;
    std::vector<std::string> w;
    {
      std::string rest = lines[i];
      while (w.size() < 3) {
        const size_t sp = rest.find(' ');
        if (sp == std::string::npos) break;
        w.push_back(rest.substr(0, sp));
        rest = rest.substr(sp + 1);
      }
      w.push_back(rest);
    }
    if (i == 0) {
      if (w.size() != 2 || w[0] != "carelog-backup" || !absl::SimpleAtoi(w[1], &m.format)) {
        return bad(n, "not a carelog backup manifest");
      }
      if (m.format != kBackupFormatVersion) {
        return absl::FailedPreconditionError(absl::StrCat(
            "backup format ", m.format, " is not one this carelog reads (", kBackupFormatVersion,
            ")"));
      }
    } else if (w[0] == "store-format" && w.size() == 2) {
      if (!absl::SimpleAtoi(w[1], &m.store_format)) return bad(n, "bad store-format");
    } else if (w[0] == "created" && w.size() == 2) {
      std::string err;
      if (!absl::ParseTime(absl::RFC3339_full, w[1], &m.created, &err)) {
        return bad(n, "bad created time");
      }
      seen_created = true;
    } else if (w[0] == "head" && w.size() == 2) {
      const size_t colon = w[1].find(':');
      if (colon == std::string::npos || !absl::SimpleAtoi(w[1].substr(0, colon), &m.head.size) ||
          !merkle::FromHex(std::string_view(w[1]).substr(colon + 1), &m.head.root)) {
        return bad(n, "bad head");
      }
      seen_head = true;
    } else if (w[0] == "file" && w.size() == 4) {
      BackupFile f;
      if (!absl::SimpleAtoi(w[1], &f.size) || w[2].size() != 64) return bad(n, "bad file line");
      f.sha256_hex = w[2];
      f.name = w[3];
      if (f.name.empty() || f.name[0] == '/' || f.name.find("..") != std::string::npos) {
        return bad(n, "file name outside the backup");
      }
      m.files.push_back(std::move(f));
    } else {
      return bad(n, absl::StrCat("unknown line '", lines[i], "'"));
    }
  }
  if (lines.empty()) return bad(1, "empty");
  if (!seen_head || !seen_created) return absl::DataLossError("backup manifest damaged: no head");
  if (m.files.empty()) return absl::DataLossError("backup manifest damaged: lists no files");
  return m;
}

absl::StatusOr<BackupManifest> BackupStore(const EventStoreReader& store, const std::string& to_dir,
                                           const BackupProgress& progress) {
  ASSIGN_OR_RETURN(const bool existed, CheckEmptyTarget(to_dir, "backup directory"));
  std::error_code ec;
  // Owner-only: a backup is a copy of every child's record.
  if (absl::Status s = CreatePrivateDirectories(to_dir); !s.ok()) return s;
  if (absl::Status s = CloseToOthers(to_dir); !s.ok()) return s;  // an existing empty one

  // The checkpoint hard-links files where it can: copy it into DIR/store so
  // that the backup shares no inode with the live store (damage to one must
  // not be damage to both), then drop the checkpoint.
  const std::string staging = (fs::path(to_dir) / ".checkpoint").string();
  const std::string store_dir = (fs::path(to_dir) / kStoreSubdir).string();
  auto fail = [&](absl::Status s) {
    Cleanup(to_dir, existed);
    return s;
  };
  Step(progress, "checkpoint");
  {
    rocksdb::Checkpoint* raw = nullptr;
    rocksdb::Status s = rocksdb::Checkpoint::Create(internal::StoreInternals::Db(store), &raw);
    std::unique_ptr<rocksdb::Checkpoint> cp(raw);
    if (s.ok()) s = cp->CreateCheckpoint(staging, /*log_size_for_flush=*/0);
    if (!s.ok() && (s.IsNotSupported() || s.IsInvalidArgument())) {
      // A read-only store cannot flush: take its files and write-ahead log
      // as they are.
      fs::remove_all(staging, ec);
      s = cp->CreateCheckpoint(staging, std::numeric_limits<uint64_t>::max());
    }
    if (!s.ok()) {
      if (s.IsNoSpace()) {
        return fail(absl::ResourceExhaustedError(absl::StrCat(
            "backup: disk full while taking the checkpoint: ", s.ToString(),
            " (free space and run it again; the store is untouched)")));
      }
      return fail(absl::InternalError(absl::StrCat("backup: checkpoint failed: ", s.ToString())));
    }
  }
  Step(progress, "copying");
  BackupManifest m;
  m.created = absl::Now();
  {
    auto files = ListFiles(staging);
    if (!files.ok()) return fail(files.status());
    if (absl::Status s = CreatePrivateDirectories(store_dir); !s.ok()) return fail(s);
    for (const std::string& name : *files) {
      if (name == internal::kPidFile) continue;
      if (absl::Status s =
              CreatePrivateDirectories((fs::path(store_dir) / name).parent_path().string());
          !s.ok()) {
        return fail(s);
      }
      auto f = CopyAndHash((fs::path(staging) / name).string(), (fs::path(store_dir) / name).string());
      if (!f.ok()) return fail(f.status());
      f->name = name;
      m.files.push_back(std::move(*f));
    }
    fs::remove_all(staging, ec);
    SyncDir(store_dir);
  }

  // The head of the copy, from the copy: whatever the appends did meanwhile,
  // this is exactly the log the backup holds.
  Step(progress, "verifying");
  {
    StoreOptions ro;
    ro.create_if_missing = false;
    ro.without_master_key = true;  // verify reads no payload: backups of sealed stores too
    auto copy = EventStoreReader::Open(store_dir, ro);
    if (!copy.ok()) {
      return fail(absl::DataLossError(
          absl::StrCat("backup: the copy does not open: ", copy.status().message())));
    }
    auto report = (*copy)->Verify();
    if (!report.ok()) {
      return fail(report.status().code() == absl::StatusCode::kDataLoss
                      ? absl::DataLossError(absl::StrCat("backup refused: the log cannot be read: ",
                                                         report.status().message()))
                      : report.status());
    }
    if (!report->ok) {
      return fail(absl::DataLossError(absl::StrCat(
          "backup refused: the log does not verify (position ", report->position, ": ",
          report->problem, "); run `carelog verify` on the store")));
    }
    m.head = report->head;
  }
  // Opening the copy read-only may leave RocksDB's LOG files behind; they
  // are not part of the backup.
  {
    auto now_files = ListFiles(store_dir);
    if (!now_files.ok()) return fail(now_files.status());
    std::set<std::string> listed;
    for (const auto& f : m.files) listed.insert(f.name);
    for (const std::string& name : *now_files) {
      if (!listed.count(name)) fs::remove(fs::path(store_dir) / name, ec);
    }
  }

  const std::string manifest = FormatBackupManifest(m);
  const std::string tmp = (fs::path(to_dir) / absl::StrCat(kBackupManifestName, ".tmp")).string();
  if (absl::Status s = CreatePrivateFile(tmp); !s.ok()) return fail(s);
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << manifest;
    out.flush();
    if (!out) {
      return fail(ErrnoStatus(absl::StrCat("writing ", tmp), errno ? errno : EIO, kDiskFullHint));
    }
  }
  {
    const int fd = open(tmp.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      fsync(fd);
      close(fd);
    }
  }
  fs::rename(tmp, fs::path(to_dir) / kBackupManifestName, ec);
  if (ec) return fail(ErrnoStatus("writing the backup manifest", ec.value(), kDiskFullHint));
  SyncDir(to_dir);
  return m;
}

namespace {

absl::StatusOr<BackupManifest> ReadManifest(const std::string& dir) {
  const fs::path path = fs::path(dir) / kBackupManifestName;
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    return absl::NotFoundError(absl::StrCat("no carelog backup in ", dir, " (no ",
                                            kBackupManifestName, ")"));
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseBackupManifest(ss.str());
}

// Every listed file present, no other file; sizes first (cheap).
absl::Status CheckListing(const std::string& store_dir, const BackupManifest& m) {
  auto files = ListFiles(store_dir);
  if (!files.ok()) {
    return absl::DataLossError(absl::StrCat("backup damaged: ", files.status().message()));
  }
  std::map<std::string, const BackupFile*> listed;
  for (const BackupFile& f : m.files) listed[f.name] = &f;
  for (const std::string& name : *files) {
    if (!listed.count(name)) {
      return absl::DataLossError(
          absl::StrCat("backup damaged: file store/", name, " is not in the manifest"));
    }
  }
  std::error_code ec;
  for (const BackupFile& f : m.files) {
    const fs::path p = fs::path(store_dir) / f.name;
    if (!fs::exists(p, ec)) {
      return absl::DataLossError(absl::StrCat("backup damaged: file store/", f.name, " is missing"));
    }
    const uint64_t size = fs::file_size(p, ec);
    if (size != f.size) {
      return absl::DataLossError(absl::StrCat("backup damaged: file store/", f.name, " has ", size,
                                              " bytes, the manifest says ", f.size));
    }
  }
  return absl::OkStatus();
}

absl::Status HashMismatch(const BackupFile& f, const std::string& got) {
  return absl::DataLossError(absl::StrCat("backup damaged: file store/", f.name,
                                          " has SHA-256 ", got, ", the manifest says ",
                                          f.sha256_hex));
}

}  // namespace

absl::StatusOr<BackupManifest> CheckBackup(const std::string& dir) {
  ASSIGN_OR_RETURN(BackupManifest m, ReadManifest(dir));
  const std::string store_dir = (fs::path(dir) / kStoreSubdir).string();
  RETURN_IF_ERROR(CheckListing(store_dir, m));
  for (const BackupFile& f : m.files) {
    std::ifstream in(fs::path(store_dir) / f.name, std::ios::binary);
    Sha256 h;
    std::vector<char> buf(1 << 20);
    while (in) {
      in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
      h.Update(buf.data(), static_cast<size_t>(in.gcount()));
    }
    const std::string got = HexOf(h.Finish());
    if (got != f.sha256_hex) return HashMismatch(f, got);
  }
  return m;
}

absl::StatusOr<BackupManifest> RestoreStore(const std::string& from_dir,
                                            const std::string& to_store,
                                            const BackupProgress& progress) {
  Step(progress, "checking");
  ASSIGN_OR_RETURN(BackupManifest m, ReadManifest(from_dir));
  if (m.store_format > kStoreFormatVersion) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the backup holds a store of format ", m.store_format,
        ", newer than this carelog supports (", kStoreFormatVersion, "); use a newer carelog"));
  }
  const std::string from_store = (fs::path(from_dir) / kStoreSubdir).string();
  RETURN_IF_ERROR(CheckListing(from_store, m));
  ASSIGN_OR_RETURN(const bool existed, CheckEmptyTarget(to_store, "restore target"));
  std::error_code ec;
  if (absl::Status s = CreatePrivateDirectories(to_store); !s.ok()) return s;
  if (absl::Status s = CloseToOthers(to_store); !s.ok()) return s;
  auto fail = [&](absl::Status s) {
    Cleanup(to_store, existed);
    return s;
  };

  Step(progress, "copying");
  for (const BackupFile& f : m.files) {
    const fs::path to = fs::path(to_store) / f.name;
    if (absl::Status s = CreatePrivateDirectories(to.parent_path().string()); !s.ok()) {
      return fail(s);
    }
    auto got = CopyAndHash((fs::path(from_store) / f.name).string(), to.string());
    if (!got.ok()) return fail(got.status());
    if (got->sha256_hex != f.sha256_hex) return fail(HashMismatch(f, got->sha256_hex));
  }
  SyncDir(to_store);

  Step(progress, "verifying");
  {
    StoreOptions ro;
    ro.create_if_missing = false;
    ro.without_master_key = true;  // verify reads no payload: backups of sealed stores too
    auto store = EventStoreReader::Open(to_store, ro);
    if (!store.ok()) {
      return fail(absl::DataLossError(absl::StrCat("restore refused: the restored store does not open: ",
                                                   store.status().message())));
    }
    auto report = (*store)->Verify();
    if (!report.ok()) {
      return fail(report.status().code() == absl::StatusCode::kDataLoss
                      ? absl::DataLossError(absl::StrCat("restore refused: the restored log cannot be read: ",
                                                         report.status().message()))
                      : report.status());
    }
    if (!report->ok) {
      return fail(absl::DataLossError(
          absl::StrCat("restore refused: the restored log does not verify: position ",
                       report->position, ": ", report->problem)));
    }
    if (report->head.size != m.head.size || report->head.root != m.head.root) {
      return fail(absl::DataLossError(absl::StrCat(
          "restore refused: the restored log has head ", FormatTreeHead(report->head),
          " but the backup recorded ", FormatTreeHead(m.head))));
    }
  }
  // The restored store's durable head: the verified head of the backup (the
  // backup holds no head file of its own; its manifest's head is that).
  if (absl::Status s = WriteHeadFile(to_store, m.head); !s.ok()) return fail(s);
  return m;
}

}  // namespace carelog
