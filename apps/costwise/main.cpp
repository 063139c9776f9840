#include "cli/cli.h"

int main(int argc, char** argv) { return costwise::cli::Run(argc, argv); }
