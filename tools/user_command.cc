// `carelog user add|list|remove`: the people who may sign in to the web
// application (`carelog serve --http`), kept in store/users.h's file, by
// default `<store dir>/carelog.users` so that the server finds it beside the
// store.
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "store/base/clock.h"
#include "store/base/time_format.h"
#include "store/users.h"
#include "tools/commands.h"

namespace carelog {
namespace {

constexpr char kUsage[] =
    "user add --name NAME --role ROLE [--users FILE] [--password-file FILE], "
    "user list [--users FILE] or user remove --name NAME [--users FILE]";

// One line without its line ending ("\n", or "\r\n" from a file written on
// Windows). kNotFound when there is no line at all.
absl::StatusOr<std::string> ReadLine(std::FILE* f, const std::string& what) {
  std::string line;
  int c;
  bool any = false;
  while ((c = std::fgetc(f)) != EOF) {
    any = true;
    if (c == '\n') break;
    line.push_back(static_cast<char>(c));
    if (line.size() > static_cast<size_t>(kMaxPasswordBytes) + 1) break;  // Add refuses it
  }
  if (std::ferror(f)) return absl::InternalError(absl::StrCat("cannot read ", what));
  if (!any) return absl::InvalidArgumentError(absl::StrCat("no password in ", what));
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

// The new user's password: the first line of --password-file, else a line
// of stdin (not echoed when it is a terminal).
absl::StatusOr<std::string> ReadPassword(const std::string& password_file) {
  if (!password_file.empty()) {
    std::FILE* f = std::fopen(password_file.c_str(), "rb");
    if (f == nullptr) {
      return absl::NotFoundError(absl::StrCat("cannot read the password file ", password_file));
    }
    auto line = ReadLine(f, password_file);
    std::fclose(f);
    return line;
  }
  termios saved;
  const bool terminal = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0;
  if (terminal) {
    std::fprintf(stderr, "password (at least %d characters): ", kMinPasswordChars);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  auto line = ReadLine(stdin, "stdin");
  if (terminal) {
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    std::fputc('\n', stderr);
  }
  return line;
}

// The users file must go in an existing directory: a mistyped --store
// should not leave a users file nobody will find.
absl::Status CheckDirectoryOf(const std::string& path) {
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  if (dir.empty()) dir = ".";
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "no directory ", dir.string(), " for the users file ", path,
        ": give the store with --store DIR, or the file with --users FILE"));
  }
  return absl::OkStatus();
}

}  // namespace

std::string UsersPath(const Args& args) {
  auto it = args.flags.find("users");
  return it != args.flags.end() && !it->second.empty() ? it->second
                                                       : absl::StrCat(StoreDir(args), "/carelog.users");
}

int RunUser(const Args& args) {
  if (args.positional.size() != 1) return UsageError(absl::StrCat("usage: ", kUsage));
  const std::string sub = args.positional[0];
  if (sub != "add" && sub != "list" && sub != "remove") {
    return UsageError(absl::StrCat("unknown user command '", sub, "': ", kUsage));
  }
  const std::string path = UsersPath(args);

  auto table = UserTable::Load(path);
  if (!table.ok()) return ReportError(table.status());

  if (sub == "list") {
    if (args.flags.count("name") || args.flags.count("role") || args.flags.count("password-file")) {
      return UsageError("user list takes only --users FILE (or --store DIR)");
    }
    if (table->entries().empty()) {
      std::fprintf(stderr, "carelog: no users in %s (add one with `carelog user add`)\n",
                   path.c_str());
    }
    for (const UserEntry& e : table->entries()) {
      std::printf("%s %s %s\n", e.name.c_str(), e.role.c_str(), Rfc3339Utc(e.created).c_str());
    }
    return 0;
  }

  const std::string name = FlagValue(args, "name");
  if (name.empty()) return UsageError(absl::StrCat("user ", sub, " needs --name NAME"));
  if (absl::Status dir = CheckDirectoryOf(path); !dir.ok()) return ReportError(dir);

  if (sub == "remove") {
    if (args.flags.count("role") || args.flags.count("password-file")) {
      return UsageError("user remove takes only --name NAME and --users FILE (or --store DIR)");
    }
    if (absl::Status s = table->Remove(name); !s.ok()) {
      return ReportError(absl::NotFoundError(absl::StrCat("no user '", name, "' in ", path)));
    }
    if (absl::Status s = table->Save(path); !s.ok()) return ReportError(s);
    std::fprintf(stderr, "carelog: user '%s' removed from %s\n", name.c_str(), path.c_str());
    return 0;
  }

  const std::string role = FlagValue(args, "role");
  if (role.empty()) {
    return UsageError(absl::StrCat("user add needs --role ",
                                   absl::StrJoin(std::begin(kUserRoles), std::end(kUserRoles), "|")));
  }
  // Name and role first: no point asking for a password that will be refused.
  if (!ValidUserName(name) || !ValidUserRole(role)) {
    return ReportError(table->Add(name, role, "", absl::UnixEpoch()));
  }
  if (table->Find(name) != nullptr) {
    return ReportError(absl::AlreadyExistsError(
        absl::StrCat("user '", name, "' is already in ", path,
                     " (to change the password: user remove, then user add)")));
  }
  auto password = ReadPassword(FlagValue(args, "password-file"));
  if (!password.ok()) return ReportError(password.status());
  if (password->empty()) return ReportError(absl::InvalidArgumentError("the password is empty"));
  if (absl::Status s = table->Add(name, role, *password, SystemClock()->Now()); !s.ok()) {
    return ReportError(s);
  }
  if (absl::Status s = table->Save(path); !s.ok()) return ReportError(s);
  std::fprintf(stderr, "carelog: user '%s' (%s) added to %s\n", name.c_str(), role.c_str(),
               path.c_str());
  return 0;
}

}  // namespace carelog
