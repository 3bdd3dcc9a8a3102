// Stands in for `ciiscope demo serve --state-dir D --base B` in demo_test.

#include <atomic>
#include <cstdio>
#include <string>

#include "app/demo/demo_network.h"

int main(int argc, char** argv) {
  ciiscope::app::demo::DemoOptions options;
  for (int i = 1; i + 1 < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--state-dir") options.state_dir = argv[++i];
    else if (arg == "--base") options.base = argv[++i];
  }
  std::atomic<bool> stop{false};
  ciiscope::Status status = ciiscope::app::demo::ServeDemo(options, stop);
  if (!status.has_value()) {
    std::fprintf(stderr, "%s\n", status.error().message().c_str());
    return 3;
  }
  return 0;
}
