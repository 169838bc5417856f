// `carelog check-proof [--data-key HEX] FILE|-`: verify an inclusion proof
// (as `carelog prove` prints it) without a store; with the data key of the
// proof's case (a subject access bundle's dataKeys), also show the entry
// its sealed leaf holds.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "absl/strings/str_cat.h"
#include "carelog/v1/events.pb.h"
#include "carelog/v1/service.pb.h"
#include "google/protobuf/util/json_util.h"
#include "projections/escape.h"
#include "store/merkle.h"
#include "store/record_format.h"
#include "tools/commands.h"
#include "store/inclusion_proof.h"
#include "projections/inclusion_proof_json.h"

namespace carelog {
namespace {

std::string Quoted(std::string_view s) {
  std::string out;
  AppendJsonString(s, &out);
  return out;
}

bool Unhex(std::string_view hex, std::string* out) {
  if (hex.size() % 2 != 0) return false;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  out->clear();
  out->reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi << 4 | lo));
  }
  return true;
}

}  // namespace

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
  if (!Unhex(leaf_hex, &leaf)) return refuse("\"leaf\" is not hex");
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
  if (args.flags.count("data-key") == 0) return 0;
  // The entry the verified leaf holds, opened with its case's key (a subject
  // access bundle's dataKeys): what the log committed to, in words.
  std::string key;
  if (!Unhex(FlagValue(args, "data-key"), &key)) {
    std::fprintf(stderr, "carelog: --data-key is not hex\n");
    return 2;
  }
  auto opened = OpenLeafPayload(*decoded, key);
  if (!opened.ok()) {
    std::fprintf(stderr, "carelog: the proof verified, but its entry does not open with the data "
                         "key given: %s\n",
                 std::string(opened.status().message()).c_str());
    return 1;
  }
  std::string json;
  google::protobuf::util::JsonPrintOptions jo;
  v1::AccessRecord record;
  v1::Event event;
  const bool access = !decoded->stream.empty() && decoded->stream[0] == '$';
  google::protobuf::Message& entry =
      access ? static_cast<google::protobuf::Message&>(record) : event;
  if (!entry.ParseFromString(*opened) ||
      !google::protobuf::util::MessageToJsonString(entry, &json, jo).ok()) {
    std::fprintf(stderr, "carelog: the entry opened but does not parse as %s\n",
                 access ? "an access record" : "an event");
    return 1;
  }
  std::printf("entry (opened with the data key): %s\n", TerminalSafe(json).c_str());
  return 0;
}

}  // namespace carelog
