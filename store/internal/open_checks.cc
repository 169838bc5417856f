#include "store/internal/open_checks.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "store/head_file.h"
#include "store/internal/log_reads.h"
#include "store/private_files.h"
#include "store/record_format.h"
#include "store/base/status_macros.h"

namespace carelog::internal {
namespace {

constexpr char kFormatMeta[] = "format";

// The write-ahead log files of `dir` that hold bytes, for messages.
std::string LogFileNames(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (e.path().extension() == ".log" && e.file_size(ec) > 0) {
      names.push_back(e.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  std::string out;
  for (const auto& n : names) absl::StrAppend(&out, out.empty() ? "" : ", ", n);
  return out;
}

}  // namespace

bool HasUnreplayedLog(const std::string& dir) {
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (e.path().extension() == ".log" && e.file_size(ec) > 0) return true;
  }
  return false;
}

absl::Status DamagedStore(const std::string& dir, const rocksdb::Status& s) {
  const std::string what = s.ToString();
  std::string file;
  if (what.find(".sst") != std::string::npos) {
    file = "a table file";
  } else if (what.find("MANIFEST") != std::string::npos) {
    file = "the MANIFEST (its list of table files, named by CURRENT)";
  } else if (what.find("CURRENT") != std::string::npos) {
    file = "the CURRENT file (which names the MANIFEST)";
  } else if (HasUnreplayedLog(dir)) {
    file = absl::StrCat("write-ahead log ", LogFileNames(dir));
  } else {
    file = "a database file";
  }
  return absl::DataLossError(absl::StrCat("store ", dir, " is damaged: ", file,
                                          " cannot be read (", what,
                                          "); restore from backup (carelog restore)"));
}

absl::Status StoreInUse(const std::string& dir) {
  std::string pid = "another process";
  std::ifstream in(std::filesystem::path(dir) / kPidFile);
  std::string line;
  if (in && std::getline(in, line) && !line.empty()) pid = absl::StrCat("PID ", line);
  return absl::UnavailableError(absl::StrCat(
      "store ", dir, " in use by ", pid,
      ": only one process may open a store; stop it or use its service"));
}

absl::Status CheckFormatMarker(rocksdb::DB& db, const std::string& dir,
                               const std::optional<TreeHead>& durable, bool read_only) {
  std::string format;
  rocksdb::Status s = db.Get(rocksdb::ReadOptions(), format::MetaKey(kFormatMeta), &format);
  if (s.IsNotFound() && durable.has_value()) {
    // A head file says this was a carelog store with a log: the database
    // lost even its first write.
    return absl::DataLossError(absl::StrCat(
        "store ", dir, " is damaged: the database has lost its carelog format marker (written "
        "first) but its durable head file (", kHeadFileName, ") records ",
        FormatTreeHead(*durable), "; restore from backup (carelog restore)"));
  }
  if (s.IsNotFound()) {
    std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(rocksdb::ReadOptions()));
    it->SeekToFirst();
    if (it->Valid() || read_only) {
      return absl::FailedPreconditionError(
          absl::StrCat("not a carelog store: ", dir, " has no carelog format marker"));
    }
    rocksdb::WriteOptions wo;
    wo.sync = true;
    return FromRocks(
        db.Put(wo, format::MetaKey(kFormatMeta), std::to_string(kStoreFormatVersion)),
        "writing format marker");
  }
  if (!s.ok()) return FromRocks(s, "reading format marker");
  int version = 0;
  if (!absl::SimpleAtoi(format, &version) || version < 1) {
    return absl::FailedPreconditionError(
        absl::StrCat("not a carelog store: ", dir, " has an unreadable format marker"));
  }
  if (version > kStoreFormatVersion) {
    return absl::FailedPreconditionError(absl::StrCat(
        "store ", dir, " has format version ", version, ", newer than this carelog supports (",
        kStoreFormatVersion, "); use a newer carelog"));
  }
  return absl::OkStatus();
}

absl::Status ClaimStore(const std::string& dir) {
  const std::string pid_path = (std::filesystem::path(dir) / kPidFile).string();
  if (CreatePrivateFile(pid_path).ok()) {
    std::ofstream pid(pid_path, std::ios::trunc);
    pid << getpid() << "\n";
  }
  // We hold the store: any import spool here is from an import that was
  // killed (its case ids and dates in clear). Nothing in it was appended.
  return RemoveStaleImportSpools(dir).status();
}

void ReleaseStore(const std::string& dir) {
  std::error_code ec;
  std::filesystem::remove(std::filesystem::path(dir) / kPidFile, ec);
}

}  // namespace carelog::internal
