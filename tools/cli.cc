#include "tools/cli.h"

#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "engine/calendar.h"
#include "engine/event_time.h"
#include "store/base/status_macros.h"
#include "store/logging.h"
#include "store/master_key.h"
#include "tools/commands.h"
#include "absl/strings/str_format.h"

namespace carelog {

namespace {

// The one command table: what `carelog help` prints (in this order) and how
// each command's options parse. `serve` needs gRPC and so is linked only into
// the `carelog` binary: its entry here has no `run`; tools/service/
// serve_command.cc registers it (RegisterCommand).
struct Command {
  const char* name;
  std::vector<std::string> value_flags;
  std::vector<std::string> bool_flags;
  int (*run)(const Args&);
  // The command's lines of the usage text, each "  NAME ...\n".
  const char* usage;
};

const std::vector<Command>& CommandTable() {
  static const auto* table = new std::vector<Command>{
      {"import", {}, {}, RunImport,
       "  import [--store DIR] FILE        append NDJSON events (FILE or - for stdin), all or nothing\n"},
      {"cases", {"format", "as-of", "iro", "team", "looked-after"}, {"overdue"}, RunCases,
       "  cases [--store DIR] [--as-of DATE] [--iro ID] [--team NAME] [--looked-after yes|no]\n"
       "        [--overdue] [--format table|csv|json]   the cases at the end of DATE (default\n"
       "        today): events, periods, looked after, reviews, placement type, legal status, IRO,\n"
       "        social worker, team, next review due, overdue count; filters combine (--overdue:\n"
       "        at least one OVERDUE obligation); sorted by next review due (earliest first, not\n"
       "        recorded last), then case id\n"},
      {"tray", {"format", "as-of", "days", "iro", "team", "rule", "pack", "sort"}, {}, RunTray,
       "  tray [--store DIR] [--as-of DATE] [--days N] [--iro ID] [--team NAME] [--rule RULE]\n"
       "        [--pack NAME] [--sort due|-due] [--format table|csv|json]   the IRO manager's work\n"
       "        tray at the end of DATE (default today): obligations OVERDUE and OPEN ones due by\n"
       "        the N-th working day after it (default 10), with IRO, team, social worker, pack\n"
       "        and source; counts per IRO and team; filters combine; sorted by due date (-due:\n"
       "        latest first), then case, rule\n"},
      {"deadlines", {"case", "as-of", "format"}, {"no-checkpoints"}, RunDeadlines,
       "  deadlines [--store DIR] [--case ID] [--as-of DATE] [--format json|csv|table]\n"
       "        [--no-checkpoints]   (fold every case from the log instead of its checkpoint)\n"},
      {"checkpoint", {}, {"rebuild", "check"}, RunCheckpoint,
       "  checkpoint [--store DIR] [--rebuild | --check]   bring the deadlines checkpoints up to\n"
       "        date with the log (only cases with new events or other rules; --rebuild: every\n"
       "        case); --check: refold every case and report current checkpoints that differ\n"},
      {"gen", {"children", "years", "seed", "end"}, {}, RunGen,
       "  gen --children N --years Y --seed S [--end DATE]   synthetic histories as NDJSON\n"},
      {"pack", {"case", "rules", "on", "format"}, {}, RunPack,
       "  pack [--store DIR] [--case ID] [NAME]   show or set the policy pack (store default or one case)\n"
       "  pack --rules NAME [--on DATE] [--format table|csv|json]   the rules of pack NAME in force on\n"
       "        DATE (default today): trigger, what meets it, timescale, basis, source\n"},
      {"verify", {"head", "pubkey"}, {}, RunVerify,
       "  verify [--store DIR] [--head SIZE:ROOTHEX] [--pubkey KEY.pub]   check the whole log (table\n"
       "        checksums, hash chain, Merkle tree, indexes, durable head); with --head, prove the log\n"
       "        extends that earlier head (a signed head's signature is checked with --pubkey)\n"},
      {"head", {"key"}, {"signed"}, RunHead,
       "  head [--store DIR] [--signed --key KEY]   the log's Merkle tree head SIZE:ROOTHEX; with\n"
       "        --signed, signed with the Ed25519 private key KEY (SIZE:ROOTHEX:ed25519:SIG)\n"},
      {"keygen", {"key"}, {}, RunKeygen,
       "  keygen --key KEY                 a new Ed25519 key pair for signed heads: KEY (0600), KEY.pub\n"},
      {"prove", {"size"}, {}, RunProve,
       "  prove [--store DIR] EVENT_ID [--size N]   JSON inclusion proof of one event\n"},
      {"check-proof", {"data-key"}, {}, RunCheckProof,
       "  check-proof [--data-key HEX] FILE|-   verify such a proof without a store; with the\n"
       "        data key of its case (a subject access bundle's dataKeys), also print the entry\n"
       "        its leaf holds, opened\n"},
      {"report", {"from", "to", "format", "out"}, {}, RunReport,
       "  report qa --from DATE --to DATE [--format html|csv|json] [--out FILE]   QA indicators\n"},
      {"import-903", {}, {"skip-invalid"}, RunImport903,
       "  import-903 [--store DIR] [--skip-invalid] DIR   the SSDA903 Header/Episodes/Reviews CSVs\n"},
      {"export", {"year", "out", "format"}, {"check"}, RunExport,
       "  export 903 [--store DIR] --year YYYY --out DIR   the SSDA903 return of a collection year:\n"
       "        Header, Episodes, Reviews, SWEpisodes, PlacedAdoption, PrevPerm, OC2 (CSV)\n"
       "  export 903 [--store DIR] --year YYYY --check [--format table|csv|json]   what each\n"
       "        child of the return lacks and the event that would supply it (exit 1 if any)\n"},
      {"audit", {"case", "as-of", "known-at", "rules", "format"}, {}, RunAudit,
       "  audit --case ID [--as-of DATE] [--known-at INSTANT] [--rules in-force|current]\n"
       "        [--format text|json]   the case's trail for a deep-dive audit\n"},
      {"holidays", {"year"}, {}, RunHolidays,
       "  holidays [--store DIR] [--year Y] [FILE]   show bank holidays, or save a gov.uk\n"
       "        bank-holidays.json whose dates then win for the years it covers\n"},
      {"serve", {}, {}, nullptr,
       "  serve [--store DIR] --listen ADDR --tokens FILE (--tls-cert FILE --tls-key FILE\n"
       "        [--client-ca FILE] | --insecure-loopback)   the gRPC service (README \"gRPC service\")\n"
       "  serve ... --http ADDR [--users FILE] [--http-insecure-loopback]\n"
       "        [--http-trusted-user-header NAME]   also (or only) the web application for people\n"
       "        (README \"Web application\"): HTTPS with the same --tls-cert/--tls-key, plain HTTP\n"
       "        only on loopback; users from FILE (default STORE/carelog.users, `carelog user`)\n"},
      {"token", {"config", "name", "role"}, {}, RunToken,
       "  token add --config FILE --name NAME --role writer|reader|auditor|qa|admin   new bearer token\n"
       "  token list --config FILE         the tokens' names and roles\n"},
      {"user", {"name", "role", "users", "password-file"}, {}, RunUser,
       "  user add --name NAME --role iro_manager|auditor|qa|admin [--users FILE]\n"
       "        [--password-file FILE]   a person who may sign in to the web application (the\n"
       "        password: the file's first line, else a line of stdin; at least 12 characters);\n"
       "        FILE defaults to <store dir>/carelog.users (0600, scrypt hashes only)\n"
       "  user list [--users FILE]         the users' names, roles and when they were added\n"
       "  user remove --name NAME [--users FILE]   takes a user's sign-in away\n"},
      {"state", {"case", "as-of", "known-at", "format"}, {}, RunState,
       "  state --case ID [--as-of DATE] [--known-at INSTANT] [--format text|json]   the child's\n"
       "        care-plan state at the end of DATE (placement, legal status, who is responsible,\n"
       "        plan, reviews, what is due) and its history of dated changes\n"},
      {"access-log", {"case", "format"}, {}, RunAccessLog,
       "  access-log [--store DIR] [--case ID] [--format text|json]   reads of children's records\n"},
      {"sar", {"case", "out", "by", "reference"}, {}, RunSar,
       "  sar --case ID --out DIR [--by NAME] [--reference REF]   the child's whole record for a\n"
       "        subject access request: DIR/record.html (printable), DIR/record.json, and\n"
       "        DIR/proofs/POSITION.json for check-proof; DIR must be new or empty (created\n"
       "        0700); the read is first recorded in the access log (by NAME, default the OS user)\n"},
      {"backup", {"to"}, {}, RunBackup,
       "  backup [--store DIR] --to DIR    consistent online backup, tree head recorded and verified\n"},
      {"restore", {"from", "to"}, {}, RunRestore,
       "  restore --from DIR --to STORE    restore a backup into a new store; refused unless it verifies\n"
       "        and its head is the one the backup recorded\n"},
      {"stats", {"format"}, {}, RunStats,
       "  stats [--store DIR] [--format text|json]   events, cases, size, head, last backup, packs\n"},
      {"retention", {"as-of", "format"}, {"all"}, RunRetention,
       "  retention [--store DIR] [--as-of DATE] [--all] [--format table|json]   cases whose record's\n"
       "        retention period had ended by the end of DATE (default today): date of birth and\n"
       "        death, the date from which it may be destroyed, the rule and its source (England\n"
       "        75 years from birth, Scotland 100; a child who died before 18: 15 / 25 years from\n"
       "        the death); --all: every case; cases without a date of birth are listed apart\n"},
      {"erase", {"case", "reason", "authority", "by", "format"}, {}, RunErase,
       "  erase --case ID --reason TEXT [--authority REF] [--by NAME] [--format text|json]\n"
       "        erase a case once its retention period has ended (`carelog retention`), or\n"
       "        earlier under an authority (e.g. a court order): its data key and checkpoints\n"
       "        are destroyed, so its events can never be read again, and the erasure (who,\n"
       "        when, why, authority, how many events) is appended to the log; verify and every\n"
       "        proof still hold. Encrypted stores only (README \"Erasure\")\n"},
      {"keys", {"key-file", "new-key-file"}, {}, RunKeys,
       "  keys new --key-file FILE         a new master key, written to FILE (0600; never\n"
       "        overwritten); a store first opened read-write with it is encrypted (README\n"
       "        \"Encryption at rest\"); every command takes --master-key-file FILE\n"
       "  keys rotate [--store DIR] --new-key-file FILE   re-wraps every case's data key\n"
       "        from the current master key (--master-key-file) to FILE's, in one write\n"},
      {"migrate", {"from", "to"}, {}, RunMigrate,
       "  migrate --from DIR --to NEWDIR --master-key-file FILE   copies a plain store into a\n"
       "        new encrypted one (same positions, ids, times and payloads; both verified; the\n"
       "        old and new heads recorded in the new store); the old store is left as it was\n"},
  };
  return *table;
}

// The usage text: a header, each command's lines in table order, a footer.
const std::string& UsageText() {
  static const std::string* text = [] {
    auto* s = new std::string(
        "usage: carelog COMMAND [--store DIR] [options]\n"
        "commands:\n");
    for (const Command& c : CommandTable()) s->append(c.usage);
    s->append(
        "Every command takes --log-level debug|info|warn|error|off (default $CARELOG_LOG, else "
        "warn):\n"
        "log lines go to stderr and carry ids and counts only, never names or free text.\n"
        "The store defaults to $CARELOG_STORE, else ./carelog-data.\n");
    return s;
  }();
  return *text;
}

// Commands added by RegisterCommand (from static initializers: constructed
// on first use).
std::map<std::string, Command>& Registered() {
  static auto* commands = new std::map<std::string, Command>();
  return *commands;
}

}  // namespace

void RegisterCommand(const std::string& name, std::vector<std::string> value_flags,
                     std::vector<std::string> bool_flags, int (*run)(const Args&)) {
  Registered()[name] = Command{"", std::move(value_flags), std::move(bool_flags), run, ""};
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

std::string OsUser() {
  if (const passwd* pw = getpwuid(geteuid()); pw != nullptr && pw->pw_name != nullptr) {
    return pw->pw_name;
  }
  if (const char* user = std::getenv("USER"); user != nullptr && *user != '\0') return user;
  return absl::StrCat("uid ", geteuid());
}

std::string FlagValue(const Args& args, const char* name) {
  auto it = args.flags.find(name);
  return it == args.flags.end() ? std::string() : it->second;
}

std::string StoreDir(const Args& args) {
  if (auto it = args.flags.find("store"); it != args.flags.end()) return it->second;
  if (const char* env = std::getenv("CARELOG_STORE"); env != nullptr && *env != '\0') return env;
  return "./carelog-data";
}

namespace {

SecretKey& RunMasterKey() {
  static auto* key = new SecretKey();
  return *key;
}

// Loads the run's master key from `file` (may be empty), else the
// environment; OK with no key when none is given.
absl::Status LoadMasterKey(const std::string& file) {
  std::string path = file;
  if (path.empty()) {
    if (const char* env = std::getenv("CARELOG_MASTER_KEY_FILE"); env != nullptr) path = env;
  }
  if (!path.empty()) {
    ASSIGN_OR_RETURN(RunMasterKey(), ReadMasterKeyFile(path));
    return absl::OkStatus();
  }
  if (const char* hex = std::getenv(kMasterKeyEnv); hex != nullptr && *hex != '\0') {
    ASSIGN_OR_RETURN(RunMasterKey(), ParseMasterKeyHex(hex, absl::StrCat("$", kMasterKeyEnv)));
  }
  return absl::OkStatus();
}

}  // namespace

const SecretKey* CliMasterKey() {
  return RunMasterKey().empty() ? nullptr : &RunMasterKey();
}

StoreOptions CliStoreOptions() {
  StoreOptions so;
  so.master_key = CliMasterKey();
  return so;
}

absl::StatusOr<std::unique_ptr<EventStoreReader>> OpenStoreForQuery(const Args& args) {
  StoreOptions so = CliStoreOptions();
  so.create_if_missing = false;
  return EventStoreReader::Open(StoreDir(args), so);
}

absl::StatusOr<std::unique_ptr<EventStoreReader>> OpenStoreForChecks(const Args& args) {
  StoreOptions so = CliStoreOptions();
  so.create_if_missing = false;
  so.without_master_key = so.master_key == nullptr;
  return EventStoreReader::Open(StoreDir(args), so);
}

bool ParseAsOfAndKnownAt(const Args& args, absl::CivilDay* as_of,
                         std::optional<absl::Time>* known_at) {
  if (auto it = args.flags.find("known-at"); it != args.flags.end()) {
    auto t = ParseKnownAt(it->second);
    if (!t.ok()) {
      std::fprintf(stderr, "carelog: --known-at: %s\n", std::string(t.status().message()).c_str());
      return false;
    }
    *known_at = *t;
  }
  if (auto it = args.flags.find("as-of"); it != args.flags.end()) {
    auto day = ParseDate(it->second);
    if (!day.ok()) {
      std::fprintf(stderr, "carelog: --as-of: %s\n", std::string(day.status().message()).c_str());
      return false;
    }
    *as_of = *day;
  } else {
    *as_of = DefaultAsOf(*known_at, absl::Now());
  }
  return true;
}

std::string HumanBytes(uint64_t n) {
  if (n >= (uint64_t{1} << 30)) return absl::StrFormat("%.1f GiB", n / double(1 << 30));
  if (n >= (uint64_t{1} << 20)) return absl::StrFormat("%.1f MiB", n / double(1 << 20));
  if (n >= 1024) return absl::StrFormat("%.1f KiB", n / 1024.0);
  return absl::StrCat(n, " bytes");
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
    case absl::StatusCode::kPermissionDenied:  // e.g. another store's master key
      return 1;
    default:
      return 3;
  }
}

int UsageError(const std::string& problem) {
  if (!problem.empty()) std::fprintf(stderr, "carelog: %s\n", problem.c_str());
  std::fputs(UsageText().c_str(), stderr);
  return 2;
}

int RunCli(int argc, char** argv) {
  if (argc < 2) return UsageError("");
  const std::string cmd = argv[1];
  std::vector<std::string> rest(argv + 2, argv + argc);
  // --log-level LEVEL (any command; store/logging.h), else $CARELOG_LOG.
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
    if (!log::ParseLevel(level, &l)) {
      return UsageError("--log-level must be debug, info, warn, error or off");
    }
    log::SetLevel(l);
    break;
  }
  // --master-key-file FILE (any command), else the environment.
  std::string key_file;
  for (size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == "--master-key-file") {
      if (i + 1 >= rest.size()) return UsageError("option --master-key-file needs a value");
      key_file = rest[i + 1];
      rest.erase(rest.begin() + i, rest.begin() + i + 2);
      break;
    }
    if (rest[i].rfind("--master-key-file=", 0) == 0) {
      key_file = rest[i].substr(18);
      rest.erase(rest.begin() + i);
      break;
    }
  }
  if (absl::Status s = LoadMasterKey(key_file); !s.ok()) return ReportError(s);
  if (cmd == "help" || cmd == "--help" || cmd == "-h") {
    std::fputs(UsageText().c_str(), stdout);
    return 0;
  }
  const Command* command = nullptr;
  for (const Command& c : CommandTable()) {
    if (c.name == cmd && c.run != nullptr) command = &c;
  }
  if (auto it = Registered().find(cmd); command == nullptr && it != Registered().end()) {
    command = &it->second;
  }
  if (command == nullptr) return UsageError(absl::StrCat("unknown command '", cmd, "'"));
  auto args = ParseArgs(rest, command->value_flags, command->bool_flags);
  if (!args.ok()) return UsageError(std::string(args.status().message()));
  return command->run(*args);
}

}  // namespace carelog
