// Where a plain-text listener may be: `serve --insecure-loopback` (gRPC) and
// `serve --http-insecure-loopback` (the web application) refuse any other
// address, so clear text never leaves the machine.
#ifndef CARELOG_TOOLS_LOOPBACK_ADDRESS_H_
#define CARELOG_TOOLS_LOOPBACK_ADDRESS_H_

#include <string_view>

namespace carelog {

// True for 127.0.0.0/8, ::1, localhost and unix: sockets; `listen` is
// host:port as gRPC takes it ("[::1]:50051", "ipv4:127.0.0.1:1", ...).
bool IsLoopbackAddress(std::string_view listen);

}  // namespace carelog

#endif  // CARELOG_TOOLS_LOOPBACK_ADDRESS_H_
