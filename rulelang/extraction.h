#pragma once
// Internal: the compiled half of an Extraction.

#include <memory>

#include <re2/re2.h>

#include "rulelang/expression.h"

namespace ciiscope::rulelang::internal {

struct CompiledExtraction {
  Expression from;
  std::unique_ptr<RE2> regex;
};

}  // namespace ciiscope::rulelang::internal
