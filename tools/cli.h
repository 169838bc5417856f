// The `carelog` command line (shared/spec/cli.md).
#ifndef CARELOG_TOOLS_CLI_H_
#define CARELOG_TOOLS_CLI_H_

namespace carelog {

// Runs one sub-command. Returns the process exit status: 0 success, 1 input
// refused or a check failed, 2 usage error, 3 internal fault.
int RunCli(int argc, char** argv);

}  // namespace carelog

#endif  // CARELOG_TOOLS_CLI_H_
