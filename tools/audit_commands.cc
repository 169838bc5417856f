// Tamper evidence on the command line: `carelog verify`, `head`, `prove` and
// `check-proof`. verify/head/prove open the store read-only; check-proof
// needs no store at all.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include <simdjson.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "store/base/hex.h"
#include "store/event_store.h"
#include "store/head_file.h"
#include "store/merkle.h"
#include "store/record_format.h"
#include "projections/escape.h"
#include "tools/commands.h"
#include "tools/inclusion_proof.h"
#include "tools/settings_log.h"
#include "tools/signed_head.h"

namespace carelog {
namespace {

std::string Quoted(std::string_view s) {
  std::string out;
  AppendJsonString(s, &out);
  return out;
}

std::string HeadString(const TreeHead& h) { return FormatTreeHead(h); }

// SIZE:ROOTHEX.
bool ParseHead(std::string_view text, TreeHead* out) {
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos) return false;
  return absl::SimpleAtoi(std::string(text.substr(0, colon)), &out->size) &&
         merkle::FromHex(text.substr(colon + 1), &out->root);
}

}  // namespace

int RunVerify(const Args& args) {
  if (!args.positional.empty()) {
    std::fprintf(stderr, "carelog: verify takes no arguments (did you mean --head SIZE:ROOT?)\n");
    return 2;
  }
  TreeHead earlier;
  const bool has_head = args.flags.count("head") > 0;
  std::string signed_by;
  if (has_head) {
    SignedHead signed_head;
    if (ParseSignedHead(args.flags.at("head"), &signed_head)) {
      auto pubkey = args.flags.find("pubkey");
      if (pubkey == args.flags.end()) {
        std::fprintf(stderr, "carelog: a signed head needs --pubkey KEY.pub to check its "
                             "signature\n");
        return 2;
      }
      if (absl::Status s = CheckHeadSignature(signed_head, pubkey->second); !s.ok()) {
        return ReportError(s);
      }
      earlier = signed_head.head;
      signed_by = absl::StrCat(" (its signature verified with ", pubkey->second, ")");
    } else if (!ParseHead(args.flags.at("head"), &earlier)) {
      std::fprintf(stderr,
                   "carelog: --head wants SIZE:ROOTHEX or a signed head "
                   "SIZE:ROOTHEX:ed25519:SIG (as `carelog head` prints), got '%s'\n",
                   args.flags.at("head").c_str());
      return 2;
    }
  } else if (args.flags.count("pubkey") > 0) {
    std::fprintf(stderr, "carelog: --pubkey checks a signed --head; give one\n");
    return 2;
  }
  auto store = OpenStoreForQuery(args);
  if (!store.ok()) return ReportError(store.status());
  const bool tty = isatty(STDERR_FILENO) != 0;
  std::function<void(uint64_t, uint64_t)> progress;
  if (tty) {
    progress = [](uint64_t done, uint64_t total) {
      std::fprintf(stderr, "\rverifying %llu of %llu events...",
                   static_cast<unsigned long long>(done), static_cast<unsigned long long>(total));
    };
  }
  auto report = (*store)->Verify(progress);
  if (tty) std::fprintf(stderr, "\r\033[K");
  if (!report.ok()) return ReportError(report.status());
  if (!report->ok) {
    std::fprintf(stderr, "carelog: log broken at position %llu: %s\n",
                 static_cast<unsigned long long>(report->position), report->problem.c_str());
    std::fprintf(stderr, "carelog: %llu events before it verified\n",
                 static_cast<unsigned long long>(report->events));
    return 1;
  }
  std::string extends;
  if (has_head) {
    if (earlier.size > report->head.size) {
      std::fprintf(stderr,
                   "carelog: the log has %llu events, fewer than the %llu of head %s: events "
                   "were removed or the log was replaced\n",
                   static_cast<unsigned long long>(report->head.size),
                   static_cast<unsigned long long>(earlier.size), HeadString(earlier).c_str());
      return 1;
    }
    auto proof = (*store)->ConsistencyProof(earlier.size, report->head.size);
    if (!proof.ok()) return ReportError(proof.status());
    if (!merkle::VerifyConsistency(earlier.size, report->head.size, earlier.root,
                                   report->head.root, *proof)) {
      std::fprintf(stderr,
                   "carelog: the log does not extend head %s: its first %llu events are not the "
                   "ones that head committed to (rewritten history, or a wrong head)\n",
                   HeadString(earlier).c_str(), static_cast<unsigned long long>(earlier.size));
      return 1;
    }
    extends = absl::StrCat("; extends head ", HeadString(earlier), signed_by,
                           " (consistency proof of ", proof->size(), " hashes checked)");
  }
  if (report->durable_head.has_value()) {
    absl::StrAppend(&extends, "; extends the durable head file's ",
                    HeadString(*report->durable_head));
  }
  std::printf("log verified: %llu events, head %s%s\n",
              static_cast<unsigned long long>(report->events), HeadString(report->head).c_str(),
              extends.c_str());
  // The settings that judge cases must be the fold of the settings log.
  return VerifySettingsForCli(**store);
}

int RunHead(const Args& args) {
  if (!args.positional.empty()) {
    std::fprintf(stderr, "carelog: head takes no arguments\n");
    return 2;
  }
  const bool sign = args.flags.count("signed") > 0;
  if (sign != (args.flags.count("key") > 0)) {
    std::fprintf(stderr, "carelog: --signed and --key KEY go together (KEY from `carelog keygen`)\n");
    return 2;
  }
  auto store = OpenStoreForQuery(args);
  if (!store.ok()) return ReportError(store.status());
  auto head = (*store)->Head();
  if (!head.ok()) return ReportError(head.status());
  if (sign) {
    auto signed_head = SignHead(*head, args.flags.at("key"));
    if (!signed_head.ok()) return ReportError(signed_head.status());
    std::printf("%s\n", signed_head->c_str());
    std::printf(
        "the log has %llu events; its RFC 9162 Merkle root (SHA-256) is %s, signed with Ed25519 "
        "key %s. Hand the line above to whoever must be able to check the log later: `carelog "
        "verify --head LINE --pubkey %s.pub` checks the signature and proves the log still "
        "extends it.\n",
        static_cast<unsigned long long>(head->size), merkle::ToHex(head->root).c_str(),
        args.flags.at("key").c_str(), args.flags.at("key").c_str());
    return 0;
  }
  std::printf("%s\n", HeadString(*head).c_str());
  std::printf(
      "the log has %llu events; its RFC 9162 Merkle root (SHA-256) is %s. Keep the line above "
      "where the store's administrators cannot change it: `carelog verify --head %s` proves "
      "later that the log still extends it.\n",
      static_cast<unsigned long long>(head->size), merkle::ToHex(head->root).c_str(),
      HeadString(*head).c_str());
  return 0;
}

int RunKeygen(const Args& args) {
  if (!args.positional.empty() || args.flags.count("key") == 0) {
    std::fprintf(stderr, "carelog: keygen needs --key FILE (and no other arguments)\n");
    return 2;
  }
  const std::string& key = args.flags.at("key");
  if (absl::Status s = GenerateSigningKey(key); !s.ok()) return ReportError(s);
  std::printf("wrote Ed25519 private key %s (owner-only) and public key %s.pub\n", key.c_str(),
              key.c_str());
  return 0;
}

int RunProve(const Args& args) {
  if (args.positional.size() != 1) {
    std::fprintf(stderr, "carelog: prove needs exactly one EVENT_ID\n");
    return 2;
  }
  uint64_t size = 0;
  if (auto it = args.flags.find("size"); it != args.flags.end()) {
    if (!absl::SimpleAtoi(it->second, &size) || size == 0) {
      std::fprintf(stderr, "carelog: --size wants a positive number of events, got '%s'\n",
                   it->second.c_str());
      return 2;
    }
  }
  auto store = OpenStoreForQuery(args);
  if (!store.ok()) return ReportError(store.status());
  auto proof = ProveInclusion(**store, args.positional[0], size);
  if (!proof.ok()) return ReportError(proof.status());
  const std::string out = InclusionProofJson(*proof);
  std::fputs(out.c_str(), stdout);
  return 0;
}

int RunCheckProof(const Args& args) {
  if (args.positional.size() != 1) {
    std::fprintf(stderr, "carelog: check-proof needs exactly one FILE (or -)\n");
    return 2;
  }
  const std::string& file = args.positional[0];
  std::string text;
  if (file == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    std::ifstream f(file, std::ios::binary);
    if (!f) {
      std::fprintf(stderr, "carelog: cannot open %s\n", file.c_str());
      return 1;
    }
    text.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  }
  auto refuse = [&](const std::string& why) {
    std::fprintf(stderr, "carelog: proof does not verify: %s\n", why.c_str());
    return 1;
  };
  simdjson::dom::parser parser;
  simdjson::padded_string padded(text);
  simdjson::dom::element root;
  if (auto err = parser.parse(padded).get(root); err) {
    return refuse(absl::StrCat("not valid JSON: ", simdjson::error_message(err)));
  }
  simdjson::dom::object obj;
  if (root.get_object().get(obj)) return refuse("not a JSON object");

  auto get_uint = [&](const char* key, uint64_t* out, bool required) -> std::string {
    simdjson::dom::element e;
    if (obj[key].get(e)) return required ? absl::StrCat("missing \"", key, "\"") : "";
    if (e.get_uint64().get(*out)) return absl::StrCat("\"", key, "\" is not a whole number");
    return "";
  };
  auto get_string = [&](const char* key, std::string* out, bool required) -> std::string {
    simdjson::dom::element e;
    if (obj[key].get(e)) return required ? absl::StrCat("missing \"", key, "\"") : "";
    std::string_view sv;
    if (e.get_string().get(sv)) return absl::StrCat("\"", key, "\" is not a string");
    out->assign(sv);
    return "";
  };
  auto get_hash = [&](const char* key, Hash256* out, bool* present) -> std::string {
    std::string hex;
    *present = false;
    if (auto e = get_string(key, &hex, false); !e.empty()) return e;
    simdjson::dom::element probe;
    if (obj[key].get(probe)) return "";
    *present = true;
    if (!merkle::FromHex(hex, out)) return absl::StrCat("\"", key, "\" is not 64 hex digits");
    return "";
  };

  uint64_t leaf_index = 0, tree_size = 0, position = 0;
  std::string leaf_hex, event_id, fmt;
  Hash256 root_hash{}, claimed_leaf_hash{};
  bool has_root = false, has_leaf_hash = false;
  for (const std::string& e :
       {get_uint("leafIndex", &leaf_index, true), get_uint("treeSize", &tree_size, true),
        get_uint("position", &position, false), get_string("leaf", &leaf_hex, true),
        get_string("eventId", &event_id, false), get_string("format", &fmt, false),
        get_hash("rootHash", &root_hash, &has_root),
        get_hash("leafHash", &claimed_leaf_hash, &has_leaf_hash)}) {
    if (!e.empty()) return refuse(e);
  }
  if (!has_root) return refuse("missing \"rootHash\"");
  if (!fmt.empty() && fmt != kProofFormat) return refuse(absl::StrCat("unknown format '", fmt, "'"));

  std::vector<Hash256> path;
  {
    simdjson::dom::element e;
    simdjson::dom::array arr;
    if (obj["auditPath"].get(e)) return refuse("missing \"auditPath\"");
    if (e.get_array().get(arr)) return refuse("\"auditPath\" is not an array");
    for (simdjson::dom::element item : arr) {
      std::string_view sv;
      Hash256 h;
      if (item.get_string().get(sv) || !merkle::FromHex(sv, &h)) {
        return refuse(absl::StrCat("auditPath[", path.size(), "] is not 64 hex digits"));
      }
      path.push_back(h);
    }
  }

  std::string leaf;
  if (!ParseHex(leaf_hex, &leaf)) return refuse("\"leaf\" is not hex");
  const Hash256 leaf_hash = merkle::LeafHash(leaf);
  if (has_leaf_hash && leaf_hash != claimed_leaf_hash) {
    return refuse("\"leafHash\" is not SHA-256(0x00 || leaf)");
  }
  // What the leaf says about itself must agree with the proof around it.
  auto decoded = format::DecodeLeaf(leaf);
  if (!decoded.ok()) return refuse(absl::StrCat("\"leaf\" is not a carelog record: ",
                                                decoded.status().message()));
  if (decoded->position != leaf_index + 1) {
    return refuse(absl::StrCat("the leaf is position ", decoded->position, " but leafIndex is ",
                               leaf_index, " (leafIndex must be position - 1)"));
  }
  if (position != 0 && position != leaf_index + 1) {
    return refuse("\"position\" is not leafIndex + 1");
  }
  if (!event_id.empty() && event_id != decoded->id) {
    return refuse(absl::StrCat("the leaf is event '", decoded->id, "', not '", event_id, "'"));
  }
  if (!merkle::VerifyInclusion(leaf_index, tree_size, leaf_hash, path, root_hash)) {
    return refuse(absl::StrCat("the audit path does not lead from the leaf at index ", leaf_index,
                               " to rootHash in a tree of ", tree_size, " events"));
  }
  std::printf("proof verified: event %s (stream %s version %llu) is at position %llu of the log "
              "whose first %llu events have root %s\n",
              Quoted(decoded->id).c_str(), Quoted(decoded->stream).c_str(),
              static_cast<unsigned long long>(decoded->version),
              static_cast<unsigned long long>(decoded->position),
              static_cast<unsigned long long>(tree_size), merkle::ToHex(root_hash).c_str());
  return 0;
}

}  // namespace carelog
