#include "engine/gen/json_text.h"

#include <algorithm>
#include <vector>

#include "absl/container/flat_hash_map.h"

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "engine/gen/timeline.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"

namespace carelog::gen {
namespace {

void Append2(std::string& s, int v) {
  s.push_back(static_cast<char>('0' + v / 10));
  s.push_back(static_cast<char>('0' + v % 10));
}

}  // namespace

void AppendDate(std::string& s, absl::CivilDay d) {
  const int y = static_cast<int>(d.year());
  Append2(s, y / 100);
  Append2(s, y % 100);
  s.push_back('-');
  Append2(s, d.month());
  s.push_back('-');
  Append2(s, d.day());
}
std::string DateText(absl::CivilDay d) {
  std::string s;
  AppendDate(s, d);
  return s;
}
void AppendInstant(std::string& s, int64_t t) {
  AppendDate(s, DayOfMinute(t));
  const int m = static_cast<int>(t % kMinutesPerDay);
  s.push_back('T');
  Append2(s, m / 60);
  s.push_back(':');
  Append2(s, m % 60);
  s.append(":00Z");
}
// JSON string body escaping (the generator's own texts are plain ASCII, but
// keep lines valid whatever they contain).
void AppendEscaped(std::string& s, std::string_view v) {
  for (char c : v) {
    switch (c) {
      case '"':
        s.append("\\\"");
        break;
      case '\\':
        s.append("\\\\");
        break;
      case '\n':
        s.append("\\n");
        break;
      case '\t':
        s.append("\\t");
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          static const char kHex[] = "0123456789abcdef";
          s.append("\\u00");
          s.push_back(kHex[(c >> 4) & 0xf]);
          s.push_back(kHex[c & 0xf]);
        } else {
          s.push_back(c);
        }
    }
  }
}

}  // namespace carelog::gen
