// The bytes of a sign-in or action form (application/x-www-form-urlencoded)
// and the random tokens of sessions and forms.
#ifndef CARELOG_TOOLS_WEB_FORM_H_
#define CARELOG_TOOLS_WEB_FORM_H_

#include <map>
#include <string>
#include <string_view>

namespace carelog {

// "a=1&b=x%20y" -> {a: "1", b: "x y"}; '+' is a space. The first value of a
// repeated name is kept (as WebRequest::Query), so a second `csrf_token`
// cannot override the first. A malformed escape is kept as it is written.
std::map<std::string, std::string> ParseFormBody(std::string_view body);

// Percent-decoding of one component ('+' is a space when `plus_is_space`).
std::string PercentDecode(std::string_view s, bool plus_is_space);

// 32 bytes from OpenSSL's CSPRNG as 64 lower-case hex digits. Aborts the
// process if the CSPRNG fails: a predictable token would be worse.
std::string NewRandomToken();

}  // namespace carelog

#endif  // CARELOG_TOOLS_WEB_FORM_H_
