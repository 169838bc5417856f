#include "engine/ssda903_source.h"

#include <algorithm>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "engine/event_json.h"
#include "engine/limits.h"
#include "google/protobuf/stubs/common.h"

namespace carelog {
namespace {

// True when every string in `m` (nested messages included) is valid UTF-8
// by protobuf's own test, the one its JSON printer and serializer apply.
bool StringsAreUtf8(const google::protobuf::Message& m) {
  using FD = google::protobuf::FieldDescriptor;
  auto valid = [](const std::string& s) {
    return google::protobuf::internal::IsStructurallyValidUTF8(s.data(),
                                                               static_cast<int>(s.size()));
  };
  const google::protobuf::Reflection* refl = m.GetReflection();
  std::vector<const FD*> fields;
  refl->ListFields(m, &fields);
  for (const FD* f : fields) {
    if (f->type() == FD::TYPE_STRING) {
      if (f->is_repeated()) {
        for (int i = 0; i < refl->FieldSize(m, f); ++i) {
          if (!valid(refl->GetRepeatedString(m, f, i))) return false;
        }
      } else if (!valid(refl->GetString(m, f))) {
        return false;
      }
    } else if (f->cpp_type() == FD::CPPTYPE_MESSAGE) {
      if (f->is_repeated()) {
        for (int i = 0; i < refl->FieldSize(m, f); ++i) {
          if (!StringsAreUtf8(refl->GetRepeatedMessage(m, f, i))) return false;
        }
      } else if (!StringsAreUtf8(refl->GetMessage(m, f))) {
        return false;
      }
    }
  }
  return true;
}

}  // namespace

bool Ssda903Source::Read(size_t max, SourceChunk* chunk) {
  const size_t n = std::min(max, events_.size() - next_);
  chunk->text.clear();
  chunk->lengths.clear();
  chunk->items.resize(n);
  for (size_t i = 0; i < n; ++i) {
    SourceItem& item = chunk->items[i];
    item.blank = false;
    item.status = absl::OkStatus();
    item.event = std::move(events_[next_ + i]);
  }
  next_ += n;
  return n > 0;
}

void Ssda903Source::Decode(SourceChunk* chunk) const {
  thread_local EventJsonParser parser;
  for (SourceItem& item : chunk->items) {
    // Its JSON line is a small multiple of its serialized size (a field's
    // name and quotes for its tag): at a 32nd of the limit only the bytes'
    // encoding can make a difference.
    if (item.event.ByteSizeLong() <= kMaxEventBytes / 32 && StringsAreUtf8(item.event)) continue;
    const std::string line = EventToJson(item.event);
    if (line.size() > kMaxEventBytes) {
      item.status = absl::InvalidArgumentError(absl::StrCat(
          "line is ", line.size(), " bytes; the largest event accepted is ", kMaxEventBytes,
          " bytes"));
      continue;
    }
    item.blank = absl::StripAsciiWhitespace(line).empty();
    if (!item.blank) item.status = parser.Parse(line, &item.event);
  }
}

}  // namespace carelog
