// Status macros for every layer: Debian's Abseil ships none.
//
// Both evaluate `expr` exactly once and return its error unchanged (code and
// message), so a failure code named in a callee's contract reaches the
// caller as is. Usable only in functions returning absl::Status or
// absl::StatusOr<T>.
#ifndef CARELOG_STORE_BASE_STATUS_MACROS_H_
#define CARELOG_STORE_BASE_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define CARELOG_CONCAT_INNER_(a, b) a##b
#define CARELOG_CONCAT_(a, b) CARELOG_CONCAT_INNER_(a, b)

// Returns from the enclosing function if `expr` (an absl::Status) is not OK.
#define RETURN_IF_ERROR(expr)                        \
  do {                                               \
    ::absl::Status carelog_status_ = (expr);         \
    if (!carelog_status_.ok()) return carelog_status_; \
  } while (0)

// `ASSIGN_OR_RETURN(auto x, StatusOrExpr())`: binds the value or returns the
// error status from the enclosing function.
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL_(CARELOG_CONCAT_(carelog_statusor_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                           \
  if (!tmp.ok()) return tmp.status();          \
  lhs = std::move(tmp).value()

#endif  // CARELOG_STORE_BASE_STATUS_MACROS_H_
