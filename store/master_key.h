// The master key of an encrypted store and the data keys it wraps (issue
// 19: a data key per case, so that destroying one key erases one case).
// Grammar:
//
//   master key file    := "carelog-master-key 1 " hex(key:32) "\n"
//                         (mode 0600 or 0400, the process owner's; refused
//                         if the group or others may do anything with it)
//   $CARELOG_MASTER_KEY := hex(key:32)
//   key_id(key)        := SHA-256("carelog master key id" 0x00 key)[0..8)
//   wrapped data key   := version:u8(1) key_id(master):8 sealed
//   sealed             := Seal(master, aad, data_key:32)   (store/sealing.h)
//   aad                := "carelog data key" 0x00 stream
//
// The key id is not secret: it lets a store opened with another master key
// say so ("wrapped by key 1a2b..., this is key 3c4d...") instead of failing
// to authenticate, and lets `keys rotate` tell which keys it has re-wrapped.
// The stream in the associated data means a wrapped key copied to another
// case does not open there.
#ifndef CARELOG_STORE_MASTER_KEY_H_
#define CARELOG_STORE_MASTER_KEY_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "store/sealing.h"

namespace carelog {

inline constexpr char kMasterKeyEnv[] = "CARELOG_MASTER_KEY";
inline constexpr size_t kMasterKeyIdBytes = 8;
inline constexpr size_t kWrappedDataKeyBytes =
    1 + kMasterKeyIdBytes + kSealOverheadBytes + kSecretKeyBytes;

// Writes a new random master key to `path` (created, mode 0600, synced).
// kAlreadyExists if `path` exists (a key is never overwritten: losing one
// loses every case it wraps); kInternal with the system's reason otherwise.
[[nodiscard]] absl::Status WriteNewMasterKeyFile(const std::string& path);

// The master key in `path`. kNotFound "no master key file PATH";
// kFailedPrecondition when it is not a regular file owned by this user or
// the group or others have any permission on it (naming the mode and the
// chmod that fixes it); kInvalidArgument naming the file when it is not a
// master key file.
[[nodiscard]] absl::StatusOr<SecretKey> ReadMasterKeyFile(const std::string& path);

// A master key given as 64 hex digits (surrounding whitespace ignored), e.g.
// $CARELOG_MASTER_KEY; `what` names it in the kInvalidArgument error.
[[nodiscard]] absl::StatusOr<SecretKey> ParseMasterKeyHex(std::string_view text,
                                                          std::string_view what);

// key_id(key) as 16 hex digits.
std::string MasterKeyId(const SecretKey& master);

// `data_key` wrapped by `master` for `stream`. kInternal if sealing fails.
[[nodiscard]] absl::StatusOr<std::string> WrapDataKey(const SecretKey& master,
                                                      std::string_view stream,
                                                      const SecretKey& data_key);

// The data key of `stream` from its wrapped form. kPermissionDenied naming
// both key ids when `master` is not the key that wrapped it; kDataLoss when
// the wrapped key is malformed, or its bytes or stream were changed (it does
// not authenticate). Nothing of the key is returned on error.
[[nodiscard]] absl::StatusOr<SecretKey> UnwrapDataKey(const SecretKey& master,
                                                      std::string_view stream,
                                                      std::string_view wrapped);

}  // namespace carelog

#endif  // CARELOG_STORE_MASTER_KEY_H_
