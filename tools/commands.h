// Shared plumbing of the sub-commands: argument parsing, the store's
// location, and mapping a status to the exit code of cli.md.
#ifndef CARELOG_TOOLS_COMMANDS_H_
#define CARELOG_TOOLS_COMMANDS_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "store/event_store.h"
#include "store/sealing.h"

namespace carelog {

struct Args {
  std::map<std::string, std::string> flags;  // --name value / --name=value
  std::vector<std::string> positional;
};

// Parses options; --store always takes a value. kInvalidArgument for an
// unknown option or a missing value.
[[nodiscard]] absl::StatusOr<Args> ParseArgs(const std::vector<std::string>& argv,
                                             const std::vector<std::string>& flags_with_values,
                                             const std::vector<std::string>& bool_flags);

// --store, else $CARELOG_STORE, else ./carelog-data.
std::string StoreDir(const Args& args);

// The value of option --NAME, or "" when it was not given.
std::string FlagValue(const Args& args, const char* name);
// The name of the operating-system user running carelog: the password
// database's, else $USER, else "uid N".
std::string OsUser();

// The master key of an encrypted store for this run: --master-key-file FILE
// (any command), else $CARELOG_MASTER_KEY_FILE, else $CARELOG_MASTER_KEY (64
// hex digits); null when none is given. RunCli loads it before the command
// runs (a bad one ends the run, exit 1). See README "Encryption at rest".
const SecretKey* CliMasterKey();
// StoreOptions carrying CliMasterKey().
StoreOptions CliStoreOptions();
// The block cache of a command that passes over the whole store once
// (`import`, `checkpoint`): what it reads is scattered through the log and
// read once, so a query's 256 MiB cache (StoreOptions) barely helps at scale
// while it alone took each past 512 MiB at 50 million events (README
// "Performance", target 4). No slower at a million events either. Tried and
// rejected for `verify` (12x slower at a million events: it looks up each
// record's index entries) and `report qa` (far slower at 50 million).
inline constexpr size_t kWholeStorePassCacheBytes = size_t{64} << 20;

// Opens the existing store for a query: read-only, so that it also works
// beside a running `carelog serve` or import. kNotFound if there is no store.
[[nodiscard]] absl::StatusOr<std::unique_ptr<EventStoreReader>> OpenStoreForQuery(const Args& args);
// As OpenStoreForQuery, for what reads no event (verify, head): an encrypted
// store opens without its master key too.
[[nodiscard]] absl::StatusOr<std::unique_ptr<EventStoreReader>> OpenStoreForChecks(const Args& args);

// The effective date and the recording instant of a case query (`audit`,
// `state`): --known-at is an RFC 3339 instant, or a date meaning the end of
// that day in London; --as-of is a date, by default the known-at instant's
// London date, else today. On bad input prints the problem and returns
// false (the caller exits 2).
[[nodiscard]] bool ParseAsOfAndKnownAt(const Args& args, absl::CivilDay* as_of,
                                       std::optional<absl::Time>* known_at);

// The web application's users file (store/users.h): --users, else
// STORE/carelog.users beside the store, where `carelog user` writes and
// `carelog serve --http` reads it.
std::string UsersPath(const Args& args);

// A size as people read it: "512 bytes", "3.2 KiB", "1.5 MiB", "2.0 GiB".
std::string HumanBytes(uint64_t n);

// Prints "carelog: message" to stderr; returns 1 for refused input or a
// failed check, 3 for an internal fault.
int ReportError(const absl::Status& s);

// A usage error: prints "carelog: problem" (unless empty) and the usage text
// (generated from tools/cli.cc's command table) on stderr; returns 2.
int UsageError(const std::string& problem);

// The commands, one tools/<name>_command.cc each (tools/cli.cc's table maps
// names to them).
int RunImport(const Args& args);      // tools/import_command.cc
int RunCases(const Args& args);       // tools/cases_command.cc
int RunTray(const Args& args);        // tools/tray_command.cc
int RunGen(const Args& args);         // tools/gen_command.cc
int RunDeadlines(const Args& args);   // tools/deadlines_command.cc
int RunPack(const Args& args);        // tools/pack_command.cc
int RunVerify(const Args& args);      // tools/verify_command.cc
int RunHead(const Args& args);        // tools/head_command.cc
int RunProve(const Args& args);       // tools/prove_command.cc
int RunCheckProof(const Args& args);  // tools/check_proof_command.cc
int RunKeygen(const Args& args);      // tools/keygen_command.cc
int RunImport903(const Args& args);   // tools/import_903_command.cc
int RunExport(const Args& args);      // tools/export_command.cc
int RunReport(const Args& args);      // tools/report_command.cc
int RunAudit(const Args& args);       // tools/audit_command.cc
int RunHolidays(const Args& args);    // tools/holidays_command.cc
int RunBackup(const Args& args);      // tools/backup_command.cc
int RunRestore(const Args& args);     // tools/restore_command.cc
int RunStats(const Args& args);       // tools/stats_command.cc
int RunRetention(const Args& args);   // tools/retention_command.cc
int RunErase(const Args& args);       // tools/erase_command.cc
int RunToken(const Args& args);       // tools/token_command.cc
int RunUser(const Args& args);        // tools/user_command.cc
int RunAccessLog(const Args& args);   // tools/access_log_command.cc
int RunCheckpoint(const Args& args);  // tools/checkpoint_command.cc
int RunState(const Args& args);       // tools/state_command.cc
int RunSar(const Args& args);         // tools/sar_command.cc
int RunKeys(const Args& args);        // tools/keys_command.cc
int RunMigrate(const Args& args);     // tools/keys_command.cc

// After a command appended events: catches up the deadlines checkpoints when
// the store keeps them (CatchUpDeadlinesCheckpoints) and prints what it did.
// Returns the exit status: 0, or 3 if that failed (the events stay stored;
// stale checkpoints are detected by every reader).
int CatchUpCheckpointsAfterAppend(EventStore* store);

// Adds a sub-command from outside carelog_cli (e.g. `serve`, which needs gRPC
// and lives in tools/service/, linked only into the `carelog` binary). Call
// before RunCli, e.g. from a static initializer.
void RegisterCommand(const std::string& name, std::vector<std::string> value_flags,
                     std::vector<std::string> bool_flags, int (*run)(const Args&));

}  // namespace carelog

#endif  // CARELOG_TOOLS_COMMANDS_H_
