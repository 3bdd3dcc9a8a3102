#pragma once
// Reuse of compiled statements per connection (private to the SQLite store).
//
// On a connection with a statement cache, sqlite::Statement::Prepare reuses a
// compiled statement of the same SQL text, and the Statement's destructor
// resets it (no read transaction or bindings outlive it) and gives it back,
// so a Store method called once per asset or page does not recompile its SQL
// every time. At most kCachedStatements are kept per connection, least
// recently used dropped. Without EnableStatementCache statements are
// finalized as before.

#include <sqlite3.h>

#include <cstddef>

namespace ciiscope::inventory::sqlite {

inline constexpr size_t kCachedStatements = 64;

// After opening the connection.
void EnableStatementCache(sqlite3* db);
// Before closing it: finalizes what the cache holds and disables it.
void FinalizeCachedStatements(sqlite3* db);

}  // namespace ciiscope::inventory::sqlite
