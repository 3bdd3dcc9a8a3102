# Turns the numbered migration files into a C++ header of raw strings.
# Invoked by inventory/CMakeLists.txt with -DOUT=header -DFILES=a.sql;b.sql
set(content "#pragma once\n// Generated from inventory/store/migrations/*.sql — do not edit.\n#include <string_view>\nnamespace ciiscope::inventory::migrations {\nstruct Migration { int version; std::string_view name; std::string_view sql; };\ninline constexpr Migration kAll[] = {\n")
foreach(f ${FILES})
  get_filename_component(name ${f} NAME_WE)
  string(REGEX MATCH "^[0-9]+" num ${name})
  math(EXPR ver "${num}")
  file(READ ${f} sql)
  string(APPEND content "  {${ver}, \"${name}\", R\"ciisql(${sql})ciisql\"},\n")
endforeach()
string(APPEND content "};\n}  // namespace ciiscope::inventory::migrations\n")
file(WRITE ${OUT} "${content}")
