// IsLoopbackAddress (loopback_address.h).
#include <arpa/inet.h>

#include <string>
#include <string_view>

#include "absl/strings/ascii.h"
#include "tools/loopback_address.h"

namespace carelog {

bool IsLoopbackAddress(std::string_view listen) {
  if (listen.rfind("unix:", 0) == 0 || listen.rfind("unix-abstract:", 0) == 0) return true;
  if (listen.rfind("ipv4:", 0) == 0) listen.remove_prefix(5);
  if (listen.rfind("ipv6:", 0) == 0) listen.remove_prefix(5);
  std::string host;
  if (!listen.empty() && listen[0] == '[') {
    const size_t close = listen.find(']');
    if (close == std::string_view::npos) return false;
    host = std::string(listen.substr(1, close - 1));
  } else {
    const size_t colon = listen.rfind(':');
    host = std::string(colon == std::string_view::npos ? listen : listen.substr(0, colon));
  }
  if (absl::AsciiStrToLower(host) == "localhost") return true;
  in_addr v4;
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6;
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) return IN6_IS_ADDR_LOOPBACK(&v6);
  return false;
}

}  // namespace carelog
