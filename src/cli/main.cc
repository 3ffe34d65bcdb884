// cbit: the command line of a cbit build farm (cli/app.h).
#include "cli/app.h"

int main(int argc, char** argv) {
  cbit::cli::Io io = cbit::cli::ProcessIo();
  return cbit::cli::Run(argc, argv, io);
}
