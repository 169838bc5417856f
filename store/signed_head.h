// Signed tree heads: a head (SIZE:ROOT) signed with Ed25519 (OpenSSL), so
// that heads handed to an auditor can later be shown to come from the store's
// keeper, and checked against the log with `carelog verify --head`.
//
//   signed-head := SIZE ":" ROOTHEX ":ed25519:" SIGHEX
//   SIGHEX      := 128 lowercase hex digits: the Ed25519 signature of
//                  "carelog signed head 1" LF SIZE ":" ROOTHEX LF
//
// One token, so it passes as `--head` as it is. Keys are PEM files: the
// private key PKCS#8 (owner-only, 0600, refused otherwise), the public key
// SubjectPublicKeyInfo in KEY.pub. Keep the private key off the store's disk
// if you can: whoever holds it can sign any head.
#ifndef CARELOG_STORE_SIGNED_HEAD_H_
#define CARELOG_STORE_SIGNED_HEAD_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "store/event_store.h"

namespace carelog {

struct SignedHead {
  TreeHead head;
  std::string signature;  // 64 bytes
};

// Writes a new Ed25519 key pair: `key_file` (private, 0600) and
// `key_file`.pub (public). kAlreadyExists if either exists (a key is never
// overwritten); kInternal on I/O or OpenSSL failure.
[[nodiscard]] absl::Status GenerateSigningKey(const std::string& key_file);

// The signed-head text of `head` signed with the private key in `key_file`.
// kFailedPrecondition when the key file is readable by group or others;
// kInvalidArgument when it is not an Ed25519 private key; kNotFound if absent.
[[nodiscard]] absl::StatusOr<std::string> SignHead(const TreeHead& head,
                                                   const std::string& key_file);

// True if `text` has the signed-head form (then *out is set; the signature is
// not checked).
[[nodiscard]] bool ParseSignedHead(std::string_view text, SignedHead* out);

// OK if `signed_head`'s signature verifies with the public key in
// `pubkey_file`. kDataLoss "signature does not verify" otherwise;
// kInvalidArgument when the file is not an Ed25519 public key; kNotFound if
// absent.
[[nodiscard]] absl::Status CheckHeadSignature(const SignedHead& signed_head,
                                              const std::string& pubkey_file);

}  // namespace carelog

#endif  // CARELOG_STORE_SIGNED_HEAD_H_
