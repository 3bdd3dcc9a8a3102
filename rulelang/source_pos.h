#pragma once
// Where something was written: a rule file position, used in every load and
// compile error ("file:line:col: expected …").

#include <string>

namespace ciiscope::rulelang {

struct SourcePos {
  std::string file;  // may be empty for expressions compiled outside a file
  int line = 0;      // 1-based; 0 = unknown
  int column = 0;    // 1-based; 0 = unknown
  // "file:line:col"; "<expr>" stands in for an empty file, unknown line/column
  // print as 1.
  std::string ToString() const;
};

}  // namespace ciiscope::rulelang
