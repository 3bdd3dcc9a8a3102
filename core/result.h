#pragma once
// Errors are values (STYLE.md habit 1). Result<T> keeps an API close to
// std::expected<T, Error> so it can become an alias once the toolchain has it.

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace ciiscope {

enum class ErrorCode {
  kInvalidArgument,  // bad user input: a CIDR, a port spec, a flag
  kParse,            // a file could not be parsed (rules, config, imports)
  kNotFound,
  kIo,               // file system or socket failure
  kDatabase,         // SQLite failure or incompatible schema
  kPermission,       // needs privileges or an authorization
  kUnsupported,
  kInterrupted,      // stopped by a signal; partial results are kept
  kInternal,
};

std::string_view ErrorCodeName(ErrorCode code);

class [[nodiscard]] Error {
 public:
  Error(ErrorCode code, std::string message)
      : code_(code), message_(std::move(message)) {}

  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "context: message" — used when passing an error up adds where it happened.
  Error WithContext(std::string_view context) const {
    return Error(code_, std::string(context) + ": " + message_);
  }

 private:
  ErrorCode code_;
  std::string message_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  using value_type = T;
  Result(const T& value) : data_(value) {}               // NOLINT: implicit by design
  Result(T&& value) : data_(std::move(value)) {}         // NOLINT
  Result(Error error) : data_(std::move(error)) {}       // NOLINT
  template <typename U>
    requires(std::is_constructible_v<T, U&&> && !std::is_same_v<std::decay_t<U>, Error> &&
             !std::is_same_v<std::decay_t<U>, Result<T>> && !std::is_same_v<std::decay_t<U>, T>)
  Result(U&& value) : data_(T(std::forward<U>(value))) {}  // NOLINT

  bool has_value() const { return data_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & { assert(has_value()); return std::get<0>(data_); }
  const T& value() const& { assert(has_value()); return std::get<0>(data_); }
  T&& value() && { assert(has_value()); return std::get<0>(std::move(data_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& { assert(!has_value()); return std::get<1>(data_); }
  Error&& error() && { assert(!has_value()); return std::get<1>(std::move(data_)); }

  template <typename U>
  T value_or(U&& fallback) const& {
    return has_value() ? value() : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  std::variant<T, Error> data_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

  bool has_value() const { return ok_; }
  explicit operator bool() const { return ok_; }
  void value() const { assert(ok_); }
  const Error& error() const& { assert(!ok_); return error_; }
  Error&& error() && { assert(!ok_); return std::move(error_); }

 private:
  Error error_{ErrorCode::kInternal, ""};
  bool ok_ = true;
};

using Status = Result<void>;

inline Status Ok() { return Status(); }

}  // namespace ciiscope

#define CII_CONCAT_INNER(a, b) a##b
#define CII_CONCAT(a, b) CII_CONCAT_INNER(a, b)

// Returns the error of a Status/Result expression from the calling function.
#define CII_RETURN_IF_ERROR(expr)                          \
  do {                                                     \
    auto&& cii_status_ = (expr);                           \
    if (!cii_status_.has_value()) {                        \
      return std::move(cii_status_).error();               \
    }                                                      \
  } while (0)

// CII_ASSIGN_OR_RETURN(auto x, Foo()); — declares/assigns x or returns the error.
#define CII_ASSIGN_OR_RETURN(lhs, expr) \
  CII_ASSIGN_OR_RETURN_IMPL(CII_CONCAT(cii_result_, __LINE__), lhs, expr)
#define CII_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.has_value()) {                         \
    return std::move(tmp).error();                \
  }                                               \
  lhs = std::move(tmp).value()
