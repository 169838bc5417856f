#include "tools/cli.h"

int main(int argc, char** argv) { return carelog::RunCli(argc, argv); }
