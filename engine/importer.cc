// Spool file (temporary, deleted after the import; 0600, and removed by the
// store's next read-write open when a killed import leaves it):
//   spool  := entry*
//   entry  := fixed32(len) stream fixed32(len) id fixed32(len) payload   (host order)
#include "engine/importer.h"

#include <unistd.h>

#include <cerrno>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "engine/event_json.h"
#include "engine/event_log.h"
#include "engine/limits.h"
#include "engine/validation.h"
#include "store/private_files.h"
#include "store/base/status_macros.h"

namespace carelog {
namespace {

class Spool {
 public:
  explicit Spool(const std::string& dir)
      : path_((std::filesystem::path(dir) /
               absl::StrCat(kImportSpoolPrefix, getpid(), "-", reinterpret_cast<uintptr_t>(this),
                            kImportSpoolSuffix))
                  .string()) {}
  ~Spool() {
    out_.close();
    in_.close();
    std::error_code ec;
    std::filesystem::remove(path_, ec);
  }

  absl::Status OpenForWrite() {
    // Owner-only: it holds case ids and dates in clear. A killed import
    // leaves it; the store removes it when next opened for writing.
    if (absl::Status s = CreatePrivateFile(path_); !s.ok()) {
      return absl::Status(s.code(), absl::StrCat("cannot create spool file: ", s.message()));
    }
    out_.open(path_, std::ios::binary | std::ios::trunc);
    if (!out_) return absl::InternalError(absl::StrCat("cannot create spool file ", path_));
    return absl::OkStatus();
  }
  void Put(const std::string& a, const std::string& b, const std::string& c) {
    PutOne(a);
    PutOne(b);
    PutOne(c);
  }
  // kResourceExhausted "disk full …" when the disk filled up while writing
  // the spool; kInternal naming the file and the system's reason otherwise.
  absl::Status FinishWrite() {
    FlushBuffer();
    out_.close();
    if (out_.fail() && write_errno_ == 0) write_errno_ = errno != 0 ? errno : EIO;
    if (write_errno_ == ENOSPC || write_errno_ == EDQUOT) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "disk full while writing the import's spool file ", path_,
          " (pass 1 keeps the checked events there, about as many bytes as they take in the "
          "store): nothing from this import was appended and the store is unchanged; free "
          "space and import again"));
    }
    if (write_errno_ != 0) {
      return absl::InternalError(absl::StrCat("writing spool file ", path_,
                                              " failed: ", std::strerror(write_errno_)));
    }
    in_.open(path_, std::ios::binary);
    if (!in_) return absl::InternalError(absl::StrCat("cannot read spool file ", path_));
    return absl::OkStatus();
  }
  // Whether a write has failed (FinishWrite says why).
  bool failed() const { return write_errno_ != 0; }
  // False at the end.
  bool Next(NewRecord* r) { return GetOne(&r->stream) && GetOne(&r->id) && GetOne(&r->payload); }

 private:
  // Entries collect in buffer_ and go to the file a megabyte at a time: six
  // ofstream::write calls per event were ~3% of an import's main thread.
  void PutOne(const std::string& s) {
    uint32_t n = static_cast<uint32_t>(s.size());
    buffer_.append(reinterpret_cast<const char*>(&n), 4);
    buffer_.append(s);
    if (buffer_.size() >= kBufferBytes) FlushBuffer();
  }
  void FlushBuffer() {
    out_.write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
    // The stream keeps no reason; the failed write(2) just set errno.
    if (!out_ && write_errno_ == 0) write_errno_ = errno != 0 ? errno : EIO;
    buffer_.clear();
  }
  bool GetOne(std::string* s) {
    uint32_t n;
    if (!in_.read(reinterpret_cast<char*>(&n), 4)) return false;
    s->resize(n);
    return static_cast<bool>(in_.read(s->data(), n));
  }

  static constexpr size_t kBufferBytes = 1 << 20;
  std::string path_;
  std::string buffer_;
  int write_errno_ = 0;  // of the first failed write
  std::ofstream out_;
  std::ifstream in_;
};

// The input a line at a time, as std::getline reads it (the newline is not
// part of the line; a last line without one still counts), except that no
// more than kMaxEventBytes of a line are ever held: the rest of a longer line
// is read past and only counted, so a 100 MB line costs no more memory than a
// 1 MB one and is refused by its length. A UTF-8 byte-order mark at the very
// start of the input (Windows editors and spreadsheets write one) is skipped:
// it is an encoding signature, not part of the first event.
class LineReader {
 public:
  explicit LineReader(std::istream& in) : in_(in), buffer_(kBufferBytes) {}

  // The next line into *line (its first kMaxEventBytes + 1 bytes at most)
  // and its whole length in bytes into *length. False at the end of the
  // input, with nothing read.
  bool Next(std::string* line, uint64_t* length) {
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

 private:
  bool Fill() {
    in_.read(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
    begin_ = 0;
    end_ = static_cast<size_t>(in_.gcount());
    if (at_start_) {
      at_start_ = false;
      if (end_ >= 3 && std::memcmp(buffer_.data(), "\xEF\xBB\xBF", 3) == 0) begin_ = 3;
    }
    return begin_ < end_;
  }

  static constexpr size_t kBufferBytes = 1 << 16;
  std::istream& in_;
  std::vector<char> buffer_;
  size_t begin_ = 0;
  size_t end_ = 0;
  bool at_start_ = true;
};

// What pass 1 remembers of an eventId seen earlier in the file: a 64-bit
// hash of the id -> a 64-bit hash of (case, payload) and the line, 24 bytes a
// slot whatever the lengths, so a 10-million-event file's map stays near
// 400 MB (and is sized once, from ImportOptions::expected_lines, so it never
// holds two tables while growing). Two ids of one file colliding in 64 bits
// (about 3 in a million for 10 million ids) would refuse a good line, never
// accept a bad one: content is compared by its own 64-bit hash.
uint64_t HashId(std::string_view id) { return absl::HashOf(id, uint64_t{0x9e3779b97f4a7c15}); }

struct SeenId {
  uint64_t content_hash;  // of (case, payload)
  uint32_t line;          // first line with this id (saturates past 4 billion)
};

// Pass 1 is split into a parallel and a sequential stage. Parsing, content
// validation and encoding depend on nothing but the line, so worker threads
// do them for chunks of lines; so does looking the id up in the log, which
// nobody writes during pass 1 (see importer.h). The main thread then takes
// the chunks in file order for everything that depends on earlier lines
// (ids earlier in the file, the case's state, the spool), exactly as a
// single loop would.
struct Parsed {
  bool blank = false;
  absl::Status status;
  v1::Event event;
  std::string payload;
  uint64_t content_hash = 0;
  // The log's record with this event's id (kNotFound when none); set when
  // status is OK.
  absl::StatusOr<StoredRecord> prior = absl::NotFoundError("");
};
struct Chunk {
  uint64_t first_line = 0;  // 1-based number of lines[0]
  std::vector<std::string> lines;
  std::vector<uint64_t> lengths;  // of each whole line (lines[i] is cut past the limit)
  std::vector<Parsed> parsed;
  bool ready = false;
};

constexpr size_t kChunkLines = 1024;
constexpr size_t kChunksAhead = 16;  // bounds memory: chunks read but not consumed

class ParallelParser {
 public:
  ParallelParser(std::istream& in, const EventStore* store, absl::Time now, int threads)
      : in_(in), reader_(in), store_(store), log_empty_(store->LastPosition() == 0), now_(now) {
    for (int i = 0; i < threads; ++i) workers_.emplace_back([this] { Work(); });
  }
  ~ParallelParser() {
    {
      absl::MutexLock lock(&mu_);
      stop_ = true;
    }
    for (auto& t : workers_) t.join();
  }
  // The next chunk in file order, or nullptr at the end of the input. Valid
  // until the next call.
  Chunk* Next() {
    absl::MutexLock lock(&mu_);
    if (current_ != nullptr) {
      // Recycled by a worker: its events keep their allocations, and the main
      // thread does not spend its time freeing them.
      auto node = chunks_.extract(consumed_++);
      free_.push_back(std::move(node.mapped()));
      current_ = nullptr;
    }
    auto ready = [this] {
      mu_.AssertHeld();
      auto it = chunks_.find(consumed_);
      return (it != chunks_.end() && it->second->ready) || (eof_ && consumed_ >= read_);
    };
    mu_.Await(absl::Condition(&ready));
    auto it = chunks_.find(consumed_);
    if (it == chunks_.end()) return nullptr;
    current_ = it->second.get();
    return current_;
  }
  bool bad() const { return in_.bad(); }

 private:
  void Work() {
    EventJsonParser parser;
    for (;;) {
      Chunk* c = nullptr;
      {
        absl::MutexLock lock(&mu_);
        auto can_read = [this] {
          mu_.AssertHeld();
          return stop_ || eof_ || read_ < consumed_ + kChunksAhead;
        };
        mu_.Await(absl::Condition(&can_read));
        if (stop_ || eof_) return;
        std::unique_ptr<Chunk> chunk;
        if (!free_.empty()) {
          chunk = std::move(free_.back());
          free_.pop_back();
          chunk->ready = false;
        } else {
          chunk = std::make_unique<Chunk>();
        }
        chunk->lines.clear();
        chunk->lengths.clear();
        chunk->first_line = lines_ + 1;
        chunk->lines.reserve(kChunkLines);
        std::string line;
        uint64_t length = 0;
        while (chunk->lines.size() < kChunkLines && reader_.Next(&line, &length)) {
          chunk->lines.push_back(std::move(line));
          chunk->lengths.push_back(length);
        }
        if (chunk->lines.size() < kChunkLines) eof_ = true;
        if (chunk->lines.empty()) return;
        lines_ += chunk->lines.size();
        c = chunk.get();
        chunks_.emplace(read_++, std::move(chunk));
      }
      c->parsed.resize(c->lines.size());
      for (size_t i = 0; i < c->lines.size(); ++i) {
        Parsed& p = c->parsed[i];
        if (c->lengths[i] > kMaxEventBytes) {
          p.blank = false;
          p.status = absl::InvalidArgumentError(
              absl::StrCat("line is ", c->lengths[i], " bytes; the largest event accepted is ",
                           kMaxEventBytes, " bytes"));
          continue;
        }
        p.blank = absl::StripAsciiWhitespace(c->lines[i]).empty();
        if (p.blank) continue;
        p.status = parser.Parse(c->lines[i], &p.event);
        if (p.status.ok()) p.status = ValidateContent(p.event, now_);
        if (!p.status.ok()) continue;
        p.payload = EncodeEvent(p.event);
        p.content_hash = absl::HashOf(p.event.case_id(), p.payload);
        // An empty log holds no ids (a first import, e.g. a migration):
        // the lookups, ~6% of an import's samples, are skipped.
        p.prior = log_empty_ ? absl::StatusOr<StoredRecord>(absl::NotFoundError(""))
                             : store_->Lookup(p.event.event_id());
      }
      absl::MutexLock lock(&mu_);
      c->ready = true;
    }
  }

  std::istream& in_;
  LineReader reader_ ABSL_GUARDED_BY(mu_);
  const EventStore* store_;
  const bool log_empty_;
  const absl::Time now_;
  absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  bool eof_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t lines_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t read_ ABSL_GUARDED_BY(mu_) = 0;      // chunks read
  uint64_t consumed_ ABSL_GUARDED_BY(mu_) = 0;  // chunks handed out and done
  Chunk* current_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::map<uint64_t, std::unique_ptr<Chunk>> chunks_ ABSL_GUARDED_BY(mu_);
  std::vector<std::unique_ptr<Chunk>> free_ ABSL_GUARDED_BY(mu_);
  std::vector<std::thread> workers_;
};

}  // namespace

absl::StatusOr<ImportReport> ImportNdjson(EventStore* store, std::istream& in,
                                          const ImportOptions& options) {
  Clock* clock = options.clock != nullptr ? options.clock : SystemClock();
  EventLog log(store, clock);
  const absl::Time now = clock->Now();
  ImportReport report;
  absl::flat_hash_map<std::string, CaseState> cases;
  absl::flat_hash_map<uint64_t, SeenId> seen;  // eventId hash -> first use in this file
  if (options.expected_lines > 0) seen.reserve(options.expected_lines);
  Spool spool(store->dir());
  RETURN_IF_ERROR(spool.OpenForWrite());
  uint64_t to_append = 0;
  uint64_t last_spooled_line = 0;
  // The line of the last event of each batch pass 2 will append: if a batch
  // fails, every event up to the previous batch's line is in the store, and
  // the message can say so.
  std::vector<uint64_t> batch_last_line;
  // As pass 2 cuts them: it flushes at >= batch_events, so 0 means 1.
  const size_t batch_events = std::max<size_t>(1, options.batch_events);

  auto refuse = [&](uint64_t line, const absl::Status& s) {
    ++report.refused;
    if (options.on_refused) options.on_refused(line, s);
  };

  const int threads =
      options.parse_threads > 0
          ? options.parse_threads
          : static_cast<int>(std::max(1u, std::min(4u, std::thread::hardware_concurrency())));
  ParallelParser parser(in, store, now, threads);
  while (Chunk* chunk = parser.Next()) {
   for (size_t i = 0; i < chunk->parsed.size(); ++i) {
    Parsed& p = chunk->parsed[i];
    const uint64_t n = ++report.lines;
    if (options.on_progress && n % 65536 == 0) options.on_progress("checked", n);
    if (p.blank) continue;
    ++report.events;
    if (!p.status.ok()) {
      refuse(n, p.status);
      continue;
    }
    const v1::Event& event = p.event;
    const std::string& payload = p.payload;
    const uint64_t content_hash = p.content_hash;
    const uint64_t id_key = HashId(event.event_id());
    const uint32_t line32 = static_cast<uint32_t>(std::min<uint64_t>(n, UINT32_MAX));

    // Idempotency: an earlier line of this file, then the log.
    if (auto it = seen.find(id_key); it != seen.end()) {
      if (it->second.content_hash != content_hash) {
        refuse(n, absl::AlreadyExistsError(absl::StrCat(
                      "field 'eventId': '", event.event_id(), "' is already used on line ",
                      it->second.line, " with different content")));
      } else {
        ++report.already_present;
      }
      continue;
    }
    const absl::StatusOr<StoredRecord>& prior = p.prior;
    if (prior.ok()) {
      if (prior->stream != event.case_id()) {
        // As the service says it (engine/event_log.cc): the other case is
        // not named, its position is enough for an administrator.
        refuse(n, absl::AlreadyExistsError(absl::StrCat(
                      "field 'eventId': '", event.event_id(),
                      "' is already recorded for another case, at position ", prior->position,
                      "; event ids are unique across the whole log")));
      } else if (prior->payload != payload) {
        refuse(n, absl::AlreadyExistsError(absl::StrCat(
                      "field 'eventId': '", event.event_id(), "' is already recorded at position ",
                      prior->position, " with different content")));
      } else {
        ++report.already_present;
        seen.emplace(id_key, SeenId{content_hash, line32});
      }
      continue;
    }
    if (prior.status().code() != absl::StatusCode::kNotFound) return prior.status();

    auto cit = cases.find(event.case_id());
    if (cit == cases.end()) {
      ASSIGN_OR_RETURN(auto loaded, log.LoadState(event.case_id()));
      cit = cases.emplace(event.case_id(), std::move(loaded.first)).first;
    }
    absl::Status s = ValidateAgainstState(event, cit->second);
    if (!s.ok()) {
      refuse(n, s);
      continue;
    }
    ApplyToState(event, &cit->second);
    seen.emplace(id_key, SeenId{content_hash, line32});
    spool.Put(event.case_id(), event.event_id(), payload);
    if (++to_append % batch_events == 0) batch_last_line.push_back(n);
    last_spooled_line = n;
   }
   // A spool that cannot be written ends pass 1: its reason is all there is
   // to say (FinishWrite below).
   if (spool.failed()) break;
  }
  if (to_append % batch_events != 0) batch_last_line.push_back(last_spooled_line);
  if (parser.bad()) return absl::InternalError("reading the input failed");
  RETURN_IF_ERROR(spool.FinishWrite());
  if (report.refused > 0 || to_append == 0) return report;

  // Pass 2: append in atomic batches; only the last one waits for fsync, which
  // makes every earlier batch durable too (one write-ahead log).
  uint64_t done = 0;
  size_t batches_stored = 0;
  AppendRequest req;
  // A batch that fails after others were stored: the store's own message
  // speaks of that one append; the operator needs to know what this import
  // left in the store and what to do next.
  auto stopped_part_way = [&](const absl::Status& s) {
    const uint64_t line = batches_stored == 0 ? 0 : batch_last_line[batches_stored - 1];
    const bool full = s.code() == absl::StatusCode::kResourceExhausted;
    const std::string stored =
        report.appended == 0
            ? std::string("nothing from this import was appended")
            : absl::StrCat(report.appended, " events of this import were stored (positions ",
                           report.first_position, "-", report.last_position,
                           "): every event up to line ", line,
                           " of the input is in the store, none after it");
    return absl::Status(
        s.code(),
        absl::StrCat(report.appended == 0 ? (full ? "disk full while appending the import: "
                                                  : "the import's append failed: ")
                     : full ? "disk full part-way through the import: "
                            : "the import stopped part-way: ",
                     stored, ". ", full ? "Free space" : "Fix the cause",
                     ", then import the same file again: it appends exactly the rest (event ids "
                     "make a re-import skip what is stored). The batch that failed: ",
                     s.message()));
  };
  auto flush = [&](bool last) -> absl::Status {
    if (req.records.empty()) return absl::OkStatus();
    req.sync = last ? std::optional<bool>() : std::optional<bool>(false);
    // Pass 1 looked every spooled id up in the log, and nobody else writes
    // the store between the passes (see importer.h).
    req.ids_checked_by_caller = true;
    // Each batch is atomic and durable by itself when ingested as a table
    // file (see AppendRequest::bulk), which skips the write-ahead log and
    // the memtable.
    req.bulk = true;
    absl::StatusOr<AppendResult> appended = store->Append(std::move(req));
    if (!appended.ok()) return stopped_part_way(appended.status());
    AppendResult& r = *appended;
    ++batches_stored;
    for (size_t i = 0; i < r.positions.size(); ++i) {
      if (r.already_present[i]) continue;
      if (report.first_position == 0) report.first_position = r.positions[i];
      report.last_position = r.positions[i];
    }
    report.appended += r.appended;
    report.already_present += r.positions.size() - r.appended;
    done += r.positions.size();
    if (options.on_progress) options.on_progress("appended", done);
    req = AppendRequest();
    return absl::OkStatus();
  };
  NewRecord rec;
  while (spool.Next(&rec)) {
    req.records.push_back(std::move(rec));
    rec = NewRecord();
    if (req.records.size() >= options.batch_events) RETURN_IF_ERROR(flush(false));
  }
  if (!req.records.empty()) {
    RETURN_IF_ERROR(flush(true));
  } else {
    RETURN_IF_ERROR(store->Sync());
  }
  return report;
}

}  // namespace carelog
