#include "engine/ndjson_source.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "engine/event_json.h"
#include "engine/limits.h"

namespace carelog {

bool NdjsonSource::Read(size_t max, SourceChunk* chunk) {
  chunk->text.resize(max);
  chunk->lengths.resize(max);
  size_t n = 0;
  while (n < max && NextLine(&chunk->text[n], &chunk->lengths[n])) ++n;
  chunk->text.resize(n);
  chunk->lengths.resize(n);
  chunk->items.resize(n);
  return n > 0;
}

void NdjsonSource::Decode(SourceChunk* chunk) const {
  // The parser reuses its buffers across calls: one per decoding thread.
  thread_local EventJsonParser parser;
  for (size_t i = 0; i < chunk->text.size(); ++i) {
    SourceItem& item = chunk->items[i];
    item.status = absl::OkStatus();
    item.blank = false;
    if (chunk->lengths[i] > kMaxEventBytes) {
      item.status = absl::InvalidArgumentError(
          absl::StrCat("line is ", chunk->lengths[i], " bytes; the largest event accepted is ",
                       kMaxEventBytes, " bytes"));
      continue;
    }
    item.blank = absl::StripAsciiWhitespace(chunk->text[i]).empty();
    if (item.blank) continue;
    item.status = parser.Parse(chunk->text[i], &item.event);
  }
}

bool NdjsonSource::NextLine(std::string* line, uint64_t* length) {
  line->clear();
  *length = 0;
  bool any = false;
  for (;;) {
    if (begin_ == end_ && !Fill()) return any;
    any = true;
    const char* from = buffer_.data() + begin_;
    const char* nl = static_cast<const char*>(std::memchr(from, '\n', end_ - begin_));
    const size_t n = nl != nullptr ? static_cast<size_t>(nl - from) : end_ - begin_;
    *length += n;
    if (line->size() <= kMaxEventBytes) {
      line->append(from, std::min(n, kMaxEventBytes + 1 - line->size()));
    }
    if (nl != nullptr) {
      begin_ += n + 1;
      return true;
    }
    begin_ = end_;
  }
}

bool NdjsonSource::Fill() {
  in_.read(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
  begin_ = 0;
  end_ = static_cast<size_t>(in_.gcount());
  if (at_start_) {
    at_start_ = false;
    if (end_ >= 3 && std::memcmp(buffer_.data(), "\xEF\xBB\xBF", 3) == 0) begin_ = 3;
  }
  return begin_ < end_;
}

}  // namespace carelog
