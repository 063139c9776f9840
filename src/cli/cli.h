#pragma once
// The costwise command line: subcommands that call the service use cases.
namespace costwise::cli {

// Parses the arguments, runs the subcommand and returns the process exit code.
int Run(int argc, char** argv);

}  // namespace costwise::cli
