#include "tools/cli.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/event_log.h"
#include "engine/importer.h"
#include "projections/case_summary.h"
#include "projections/escape.h"
#include "store/event_store.h"
#include "tools/commands.h"
#include "tools/log.h"

namespace carelog {

namespace {

constexpr char kUsage[] =
    "usage: carelog COMMAND [--store DIR] [options]\n"
    "commands:\n"
    "  import [--store DIR] FILE        append NDJSON events (FILE or - for stdin), all or nothing\n"
    "  cases [--store DIR] [--format table|json]   the cases in the store\n"
    "  deadlines [--store DIR] [--case ID] [--as-of DATE] [--format json|csv|table]\n"
    "        [--no-checkpoints]   (fold every case from the log instead of its checkpoint)\n"
    "  checkpoint [--store DIR] [--rebuild | --check]   bring the deadlines checkpoints up to\n"
    "        date with the log (only cases with new events or other rules; --rebuild: every\n"
    "        case); --check: refold every case and report current checkpoints that differ\n"
    "  gen --children N --years Y --seed S [--end DATE]   synthetic histories as NDJSON\n"
    "  pack [--store DIR] [--case ID] [NAME]   show or set the policy pack (store default or one case)\n"
    "  verify [--store DIR] [--head SIZE:ROOTHEX] [--pubkey KEY.pub]   check the whole log (table\n"
    "        checksums, hash chain, Merkle tree, indexes, durable head); with --head, prove the log\n"
    "        extends that earlier head (a signed head's signature is checked with --pubkey)\n"
    "  head [--store DIR] [--signed --key KEY]   the log's Merkle tree head SIZE:ROOTHEX; with\n"
    "        --signed, signed with the Ed25519 private key KEY (SIZE:ROOTHEX:ed25519:SIG)\n"
    "  keygen --key KEY                 a new Ed25519 key pair for signed heads: KEY (0600), KEY.pub\n"
    "  prove [--store DIR] EVENT_ID [--size N]   JSON inclusion proof of one event\n"
    "  check-proof FILE|-               verify such a proof without a store\n"
    "  report qa --from DATE --to DATE [--format html|csv|json] [--out FILE]   QA indicators\n"
    "  import-903 [--store DIR] [--skip-invalid] DIR   the SSDA903 Header/Episodes/Reviews CSVs\n"
    "  export 903 [--store DIR] --year YYYY --out DIR   the SSDA903 tables of a collection year\n"
    "  audit --case ID [--as-of DATE] [--known-at INSTANT] [--rules in-force|current]\n"
    "        [--format text|json]   the case's trail for a deep-dive audit\n"
    "  holidays [--store DIR] [--year Y] [FILE]   show bank holidays, or save a gov.uk\n"
    "        bank-holidays.json whose dates then win for the years it covers\n"
    "  serve [--store DIR] --listen ADDR --tokens FILE (--tls-cert FILE --tls-key FILE\n"
    "        [--client-ca FILE] | --insecure-loopback)   the gRPC service (README \"gRPC service\")\n"
    "  token add --config FILE --name NAME --role writer|reader|auditor|qa   new bearer token\n"
    "  token list --config FILE         the tokens' names and roles\n"
    "  access-log [--store DIR] [--case ID] [--format text|json]   reads of children's records\n"
    "  backup [--store DIR] --to DIR    consistent online backup, tree head recorded and verified\n"
    "  restore --from DIR --to STORE    restore a backup into a new store; refused unless it verifies\n"
    "        and its head is the one the backup recorded\n"
    "  stats [--store DIR] [--format text|json]   events, cases, size, head, last backup, packs\n"
    "Every command takes --log-level debug|info|warn|error|off (default $CARELOG_LOG, else warn):\n"
    "log lines go to stderr and carry ids and counts only, never names or free text.\n"
    "The store defaults to $CARELOG_STORE, else ./carelog-data.\n";

struct Command {
  std::vector<std::string> value_flags;
  std::vector<std::string> bool_flags;
  int (*run)(const Args&);
};

std::map<std::string, Command>& Registered() {
  static auto* commands = new std::map<std::string, Command>();
  return *commands;
}

}  // namespace

void RegisterCommand(const std::string& name, std::vector<std::string> value_flags,
                     std::vector<std::string> bool_flags, int (*run)(const Args&)) {
  Registered()[name] = Command{std::move(value_flags), std::move(bool_flags), run};
}

absl::StatusOr<Args> ParseArgs(const std::vector<std::string>& argv,
                               const std::vector<std::string>& flags_with_values,
                               const std::vector<std::string>& bool_flags) {
  Args args;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a.size() > 2 && a.rfind("--", 0) == 0) {
      std::string name = a.substr(2);
      std::string value;
      bool has_value = false;
      if (auto eq = name.find('='); eq != std::string::npos) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
        has_value = true;
      }
      const bool takes_value = name == "store" || std::find(flags_with_values.begin(),
                                                            flags_with_values.end(),
                                                            name) != flags_with_values.end();
      const bool is_bool =
          std::find(bool_flags.begin(), bool_flags.end(), name) != bool_flags.end();
      if (!takes_value && !is_bool) {
        return absl::InvalidArgumentError(absl::StrCat("unknown option --", name));
      }
      if (takes_value && !has_value) {
        if (i + 1 >= argv.size()) {
          return absl::InvalidArgumentError(absl::StrCat("option --", name, " needs a value"));
        }
        value = argv[++i];
      }
      args.flags[name] = is_bool && !has_value ? "true" : value;
    } else {
      args.positional.push_back(a);
    }
  }
  return args;
}

std::string StoreDir(const Args& args) {
  if (auto it = args.flags.find("store"); it != args.flags.end()) return it->second;
  if (const char* env = std::getenv("CARELOG_STORE"); env != nullptr && *env != '\0') return env;
  return "./carelog-data";
}

absl::StatusOr<std::unique_ptr<EventStoreReader>> OpenStoreForQuery(const Args& args) {
  StoreOptions so;
  so.create_if_missing = false;
  return EventStoreReader::Open(StoreDir(args), so);
}

int ReportError(const absl::Status& s) {
  std::fprintf(stderr, "carelog: %s\n", std::string(s.message()).c_str());
  switch (s.code()) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDataLoss:
      return 1;
    default:
      return 3;
  }
}

namespace {

int Usage(const std::string& problem) {
  if (!problem.empty()) std::fprintf(stderr, "carelog: %s\n", problem.c_str());
  std::fputs(kUsage, stderr);
  return 2;
}

int RunImport(const Args& args) {
  if (args.positional.size() != 1) return Usage("import needs exactly one FILE (or -)");
  const std::string& file = args.positional[0];
  std::ifstream f;
  std::istream* in = &std::cin;
  if (file != "-") {
    f.open(file, std::ios::binary);
    if (!f) {
      std::fprintf(stderr, "carelog: cannot open %s\n", file.c_str());
      return 1;
    }
    in = &f;
  }
  auto store = EventStore::Open(StoreDir(args));
  if (!store.ok()) return ReportError(store.status());
  const std::string name = file == "-" ? "-" : file;
  const bool tty = isatty(STDERR_FILENO) != 0;
  ImportOptions opts;
  if (file != "-") {
    std::error_code ec;
    const uintmax_t bytes = std::filesystem::file_size(file, ec);
    // Events of the public contract take 150-400 bytes a line.
    if (!ec) opts.expected_lines = bytes / 150;
  }
  opts.on_refused = [&](uint64_t line, const absl::Status& s) {
    // Reasons quote the input, which may hold escape sequences.
    std::fprintf(stderr, "%s:%llu: %s\n", name.c_str(), static_cast<unsigned long long>(line),
                 TerminalSafe(std::string(s.message())).c_str());
  };
  if (tty) {
    opts.on_progress = [](std::string_view phase, uint64_t n) {
      std::fprintf(stderr, "\r%s %llu events...", std::string(phase).c_str(),
                   static_cast<unsigned long long>(n));
    };
  }
  LOG_INFO(absl::StrCat("import: ", name, " into ", StoreDir(args), " (",
                        (*store)->LastPosition(), " events before)"));
  auto report = ImportNdjson(store->get(), *in, opts);
  if (tty) std::fprintf(stderr, "\r\033[K");
  if (!report.ok()) {
    LOG_ERROR(absl::StrCat("import: ", name, " failed: ", report.status().message()));
    return ReportError(report.status());
  }
  // Counts only: refusal reasons quote the input, which may hold personal data.
  LOG_INFO(absl::StrCat("import: ", name, ": ", report->lines, " lines, ", report->events,
                        " events, ", report->refused, " refused, ", report->appended,
                        " appended, ", report->already_present, " already present",
                        report->appended > 0 ? absl::StrCat(", positions ", report->first_position,
                                                            "-", report->last_position)
                                             : ""));
  if (report->refused > 0) {
    std::fprintf(stderr, "%s: %llu of %llu lines refused; nothing appended\n", name.c_str(),
                 static_cast<unsigned long long>(report->refused),
                 static_cast<unsigned long long>(report->events));
    return 1;
  }
  std::printf("%s: %llu events: %llu appended, %llu already present", name.c_str(),
              static_cast<unsigned long long>(report->events),
              static_cast<unsigned long long>(report->appended),
              static_cast<unsigned long long>(report->already_present));
  if (report->appended > 0) {
    std::printf(" (positions %llu-%llu)", static_cast<unsigned long long>(report->first_position),
                static_cast<unsigned long long>(report->last_position));
  }
  std::printf("\n");
  if (report->appended > 0) return CatchUpCheckpointsAfterAppend(store->get());
  return 0;
}

std::string DateOrDash(const std::optional<absl::CivilDay>& d) {
  return d.has_value() ? absl::FormatCivilTime(*d) : "-";
}

int RunCases(const Args& args) {
  const std::string format = args.flags.count("format") ? args.flags.at("format") : "table";
  if (format != "table" && format != "json") return Usage("--format must be table or json");
  auto store = OpenStoreForQuery(args);
  if (!store.ok()) return ReportError(store.status());
  EventLog log(store->get(), SystemClock());
  auto streams = (*store)->Streams();
  if (!streams.ok()) return ReportError(streams.status());
  std::string out = format == "json" ? "[" : "";
  if (format == "table") {
    out = absl::StrFormat("%-12s %7s %7s %-12s %-14s %7s %-12s\n", "case", "events", "periods",
                          "looked after", "since", "reviews", "last review");
  }
  bool first = true;
  for (const std::string& id : *streams) {
    auto events = log.ReadCase(id);
    if (!events.ok()) return ReportError(events.status());
    CaseSummary s = SummariseCase(id, std::move(*events));
    if (format == "table") {
      // Ids of stores written before the id alphabet may hold anything.
      absl::StrAppend(&out, absl::StrFormat("%-12s %7d %7d %-12s %-14s %7d %-12s\n",
                                            TerminalSafe(s.case_id),
                                            s.events, s.periods_of_care,
                                            s.looked_after ? "yes" : "no",
                                            DateOrDash(s.looked_after_since), s.reviews_held,
                                            DateOrDash(s.last_review)));
    } else {
      absl::StrAppend(&out, first ? "" : ",", "\n  {\"caseId\":");
      AppendJsonString(s.case_id, &out);
      absl::StrAppend(&out, ",\"events\":", s.events, ",\"periodsOfCare\":", s.periods_of_care,
                      ",\"lookedAfter\":", s.looked_after ? "true" : "false",
                      ",\"reviewsHeld\":", s.reviews_held, "}");
    }
    first = false;
  }
  if (format == "json") absl::StrAppend(&out, "\n]\n");
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace

int RunCli(int argc, char** argv) {
  if (argc < 2) return Usage("");
  const std::string cmd = argv[1];
  std::vector<std::string> rest(argv + 2, argv + argc);
  // --log-level LEVEL (any command; tools/log.h), else $CARELOG_LOG.
  log::InitFromEnv();
  for (size_t i = 0; i < rest.size(); ++i) {
    std::string level;
    if (rest[i] == "--log-level" && i + 1 < rest.size()) {
      level = rest[i + 1];
      rest.erase(rest.begin() + i, rest.begin() + i + 2);
    } else if (rest[i].rfind("--log-level=", 0) == 0) {
      level = rest[i].substr(12);
      rest.erase(rest.begin() + i);
    } else {
      continue;
    }
    log::Level l;
    if (!log::ParseLevel(level, &l)) return Usage("--log-level must be debug, info, warn, error or off");
    log::SetLevel(l);
    break;
  }
  if (cmd == "help" || cmd == "--help" || cmd == "-h") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  std::map<std::string, Command> commands = {
      {"import", {{}, {}, RunImport}},
      {"cases", {{"format"}, {}, RunCases}},
      {"gen", {{"children", "years", "seed", "end"}, {}, RunGen}},
      {"deadlines", {{"case", "as-of", "format"}, {"no-checkpoints"}, RunDeadlines}},
      {"checkpoint", {{}, {"rebuild", "check"}, RunCheckpoint}},
      {"pack", {{"case"}, {}, RunPack}},
      {"verify", {{"head", "pubkey"}, {}, RunVerify}},
      {"head", {{"key"}, {"signed"}, RunHead}},
      {"keygen", {{"key"}, {}, RunKeygen}},
      {"prove", {{"size"}, {}, RunProve}},
      {"check-proof", {{}, {}, RunCheckProof}},
      {"report", {{"from", "to", "format", "out"}, {}, RunReport}},
      {"import-903", {{}, {"skip-invalid"}, RunImport903}},
      {"export", {{"year", "out"}, {}, RunExport}},
      {"audit", {{"case", "as-of", "known-at", "rules", "format"}, {}, RunAudit}},
      {"holidays", {{"year"}, {}, RunHolidays}},
      {"backup", {{"to"}, {}, RunBackup}},
      {"restore", {{"from", "to"}, {}, RunRestore}},
      {"stats", {{"format"}, {}, RunStats}},
      {"token", {{"config", "name", "role"}, {}, RunToken}},
      {"access-log", {{"case", "format"}, {}, RunAccessLog}},
  };
  for (const auto& [name, c] : Registered()) commands.emplace(name, c);
  auto it = commands.find(cmd);
  if (it == commands.end()) return Usage(absl::StrCat("unknown command '", cmd, "'"));
  auto args = ParseArgs(rest, it->second.value_flags, it->second.bool_flags);
  if (!args.ok()) return Usage(std::string(args.status().message()));
  return it->second.run(*args);
}

}  // namespace carelog
