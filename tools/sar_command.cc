// `carelog sar --case ID --out DIR [--by NAME] [--reference REF]`: the
// subject access bundle of one child's record (projections/subject_access.h)
// in a new owner-only directory:
//   DIR/record.html            the printable document, in plain language
//   DIR/record.json            the same as JSON, with every proof
//   DIR/proofs/POSITION.json   one proof per event and access record,
//                              exactly as `carelog prove` prints it, for
//                              `carelog check-proof`
// The read is recorded in the access log before anything is read, so the
// store is opened read-write and the bundle lists its own read.
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "engine/access_log.h"
#include "projections/inclusion_proof_json.h"
#include "projections/subject_access.h"
#include "projections/views/queries.h"
#include "store/base/errno_status.h"
#include "store/base/status_macros.h"
#include "store/event_store.h"
#include "store/merkle.h"
#include "store/private_files.h"
#include "tools/commands.h"

namespace carelog {
namespace {

namespace fs = std::filesystem;

std::string HostName() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "local";
  return absl::StrCat("local:", buf);
}

// Writes `text` to a new owner-only file.
absl::Status WritePrivate(const std::string& path, const std::string& text) {
  RETURN_IF_ERROR(CreatePrivateFile(path));
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << text;
  f.close();
  if (!f) return absl::InternalError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

// Writes the whole bundle into `dir` (a new directory).
absl::Status WriteBundle(const std::string& dir, const SubjectAccess& sar) {
  RETURN_IF_ERROR(CreatePrivateDirectories(dir + "/proofs"));
  RETURN_IF_ERROR(WritePrivate(dir + "/record.html", RenderSubjectAccessHtml(sar)));
  RETURN_IF_ERROR(WritePrivate(dir + "/record.json", RenderSubjectAccessJson(sar)));
  for (const auto* proofs : {&sar.event_proofs, &sar.access_proofs}) {
    for (const InclusionProofData& p : *proofs) {
      RETURN_IF_ERROR(WritePrivate(absl::StrCat(dir, "/proofs/", p.record.position, ".json"),
                                   InclusionProofJson(p)));
    }
  }
  return absl::OkStatus();
}

// "" when `out` may receive the bundle (absent, or an empty directory),
// else why not.
std::string OutProblem(const std::string& out) {
  std::error_code ec;
  const fs::file_status st = fs::symlink_status(out, ec);
  if (ec && ec != std::errc::no_such_file_or_directory) {
    return absl::StrCat("cannot look at ", out, ": ", ec.message());
  }
  if (!fs::exists(st)) return "";
  if (!fs::is_directory(st)) return absl::StrCat(out, " exists and is not a directory");
  if (!fs::is_empty(out, ec) || ec) {
    return absl::StrCat(out, " is not empty: give a new or empty directory");
  }
  return "";
}

}  // namespace

int RunSar(const Args& args) {
  const std::string case_id = FlagValue(args, "case");
  std::string out = FlagValue(args, "out");
  if (case_id.empty() || out.empty() || !args.positional.empty()) {
    std::fprintf(stderr, "carelog: sar needs --case ID and --out DIR\n");
    return 2;
  }
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  const std::string by = args.flags.count("by") ? FlagValue(args, "by") : OsUser();
  if (by.empty()) {
    std::fprintf(stderr, "carelog: --by wants a name\n");
    return 2;
  }
  const std::string reference = FlagValue(args, "reference");
  // Refused before the store is opened: a refused run reads nothing.
  if (const std::string problem = OutProblem(out); !problem.empty()) {
    std::fprintf(stderr, "carelog: --out: %s; nothing written\n", problem.c_str());
    return 1;
  }

  StoreOptions so = CliStoreOptions();
  so.create_if_missing = false;
  auto store = EventStore::Open(StoreDir(args), so);
  if (!store.ok()) return ReportError(store.status());
  auto queries = Queries::WithEmbeddedPacks(store->get());
  if (!queries.ok()) return ReportError(queries.status());

  v1::AccessRecord read;
  read.set_token_name(absl::StrCat("cli:", AccessIdText(by)));
  read.set_role("operator");
  read.set_method(reference.empty()
                      ? std::string("carelog sar")
                      : absl::StrCat("carelog sar (reference ", AccessIdText(reference), ")"));
  read.set_peer(HostName());
  auto sar = (*queries)->SubjectAccess(case_id, std::move(read));
  if (!sar.ok()) return ReportError(sar.status());

  // Written beside DIR first and renamed into place (over an empty DIR), so a
  // failure leaves no half bundle.
  const fs::path target(out);
  const fs::path parent = target.has_parent_path() ? target.parent_path() : fs::path(".");
  if (auto s = CreatePrivateDirectories(parent.string()); !s.ok()) return ReportError(s);
  const std::string partial =
      (parent / absl::StrCat(".", target.filename().string(), ".partial-", getpid())).string();
  if (auto s = WriteBundle(partial, *sar); !s.ok()) {
    std::error_code ec;
    fs::remove_all(partial, ec);
    return ReportError(s);
  }
  if (std::rename(partial.c_str(), out.c_str()) != 0) {
    const absl::Status s = ErrnoStatus(absl::StrCat("cannot rename ", partial, " to ", out), errno);
    std::error_code ec;
    fs::remove_all(partial, ec);
    return ReportError(s);
  }
  std::printf("wrote %s/record.html, %s/record.json and %zu proofs in %s/proofs: case %s, %zu "
              "events, %zu obligations, %zu access record%s (this read is position %llu), head "
              "%llu %s\n",
              out.c_str(), out.c_str(), sar->event_proofs.size() + sar->access_proofs.size(),
              out.c_str(), case_id.c_str(), sar->events.size(),
              sar->deadlines.obligations.size(), sar->access.size(), sar->access.size() == 1 ? "" : "s",
              static_cast<unsigned long long>(sar->request.position()),
              static_cast<unsigned long long>(sar->head.size),
              merkle::ToHex(sar->head.root).c_str());
  return 0;
}

}  // namespace carelog
