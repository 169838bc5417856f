// Verify: re-reads a whole store and checks everything the append path
// wrote (see VerifyLog in verify.h). A free function beside the EventStore,
// as LevelDB's RepairDB is beside its DB: it reads the database through one
// snapshot and needs nothing of an open store's memory.
#include "store/internal/verify.h"

#include <cstring>
#include <memory>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "store/head_file.h"
#include "store/internal/log_reads.h"
#include "store/merkle.h"
#include "store/record_format.h"
#include "store/base/status_macros.h"

namespace carelog {

namespace {

using internal::FromRocks;
using internal::SubtreeName;

// Walks one level of the stored tree in key order, beside the recomputed
// tree: every stored key must be the next expected subtree.
class LevelCursor {
 public:
  LevelCursor(rocksdb::DB* db, const rocksdb::ReadOptions& ro, int level)
      : it_(db->NewIterator(ro)), prefix_{format::kTreeTag, static_cast<char>(level)} {
    it_->Seek(prefix_);
  }
  // The next stored key of this level, or nullopt at its end.
  bool AtEnd() const { return !it_->Valid() || !it_->key().starts_with(prefix_); }
  rocksdb::Iterator* it() { return it_.get(); }
  absl::Status status() const { return FromRocks(it_->status(), "reading the Merkle tree"); }

 private:
  std::unique_ptr<rocksdb::Iterator> it_;
  std::string prefix_;
};

}  // namespace

absl::StatusOr<VerifyReport> VerifyLog(
    rocksdb::DB& db, const std::string& dir,
    const std::function<void(uint64_t done, uint64_t total)>& progress) {
  VerifyReport report;
  // Read before the snapshot is taken: everything it records is then in the
  // snapshot, however many appends run meanwhile.
  ASSIGN_OR_RETURN(const std::optional<TreeHead> durable, ReadHeadFile(dir));

  // Every block of every table file against its checksum, the filter, index
  // and properties blocks included (a scan of the log reads only the data
  // blocks it needs, and a lookup may be answered from a filter without the
  // block), then every whole table file against the checksum the MANIFEST
  // keeps for it (tables written before carelog asked for one have none).
  {
    rocksdb::ReadOptions cro;
    cro.readahead_size = 2 << 20;
    rocksdb::Status s = db.VerifyChecksum(cro);
    if (s.ok()) s = db.VerifyFileChecksums(cro);
    if (!s.ok()) {
      if (s.IsCorruption()) {
        return absl::DataLossError(absl::StrCat("store ", dir, " is damaged: a table file fails its checksum (",
                                                s.ToString(), "); restore from backup (carelog restore)"));
      }
      return FromRocks(s, "checking the table files' checksums");
    }
  }

  const internal::ScopedSnapshot snap(db);
  rocksdb::ReadOptions ro;
  ro.snapshot = snap.get();
  rocksdb::ReadOptions scan_ro = ro;
  scan_ro.readahead_size = 2 << 20;

  uint64_t checked = 0;  // records that passed every check
  auto fail = [&](uint64_t position, std::string problem) {
    report.ok = false;
    report.events = checked;
    report.position = position;
    report.problem = std::move(problem);
    return report;
  };

  // The last position, as this snapshot has it.
  uint64_t last = 0;
  {
    std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(ro));
    if (internal::SeekToLastRecord(*it)) {
      auto pos = format::DecodeRecordKey(it->key().ToStringView());
      if (!pos.ok()) return fail(0, "a log key is malformed (not 'E' + 8 bytes)");
      last = *pos;
    }
    RETURN_IF_ERROR(FromRocks(it->status(), "reading log tail"));
  }
  {
    std::string marker;
    rocksdb::Status s = db.Get(ro, format::MetaKey(format::kTreeMeta), &marker);
    if (s.IsNotFound() && last > 0) {
      return fail(1, "the store has no Merkle tree (written before carelog kept one); open it "
                     "read-write once to build it");
    }
    if (!s.IsNotFound()) RETURN_IF_ERROR(FromRocks(s, "reading tree marker"));
  }
  if (progress) progress(0, last);

  merkle::Frontier frontier;
  std::vector<std::unique_ptr<LevelCursor>> levels;
  std::string tree_failure;  // set by the on_complete callback
  uint64_t current = 0;
  auto check_node = [&](int level, uint64_t index, const Hash256& h) {
    if (!tree_failure.empty()) return;
    while (static_cast<int>(levels.size()) <= level) {
      levels.push_back(std::make_unique<LevelCursor>(&db, ro, static_cast<int>(levels.size())));
    }
    LevelCursor& c = *levels[level];
    if (c.AtEnd()) {
      tree_failure = absl::StrCat(SubtreeName(level, index), " is missing");
      return;
    }
    auto key = format::DecodeTreeNodeKey(c.it()->key().ToStringView());
    if (!key.ok()) {
      tree_failure = absl::StrCat("a Merkle tree key at level ", level, " is malformed");
      return;
    }
    if (key->second != index) {
      tree_failure = absl::StrCat(SubtreeName(level, index), " is missing",
                                  key->second > index ? "" : " (an unexpected node is in its place)");
      return;
    }
    const rocksdb::Slice v = c.it()->value();
    if (v.size() != 32 || std::memcmp(v.data(), h.data(), 32) != 0) {
      tree_failure = absl::StrCat("stored hash of ", SubtreeName(level, index),
                                  " does not match the records (tree node altered, or a record "
                                  "rewritten with its checksum and chain recomputed)");
      return;
    }
    c.it()->Next();
  };

  absl::flat_hash_map<std::string, uint64_t> versions;
  Hash256 chain{};
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(scan_ro));
  uint64_t expect = 1;
  for (it->Seek(format::RecordKey(1)); it->Valid(); it->Next()) {
    const rocksdb::Slice key = it->key();
    if (key.empty() || key[0] != format::kRecordTag) break;
    auto pos = format::DecodeRecordKey(key.ToStringView());
    if (!pos.ok()) return fail(expect, "a log key is malformed (not 'E' + 8 bytes)");
    if (*pos != expect) {
      return fail(expect, absl::StrCat("position ", expect, " is missing from the log (next is ",
                                       *pos, ")"));
    }
    current = expect;
    auto rec = internal::DecodeRecordAt(current, it->value().ToStringView());
    if (!rec.ok()) return fail(current, std::string(rec.status().message()));
    const std::string leaf = format::EncodeLeaf(*rec);
    if (format::ChainHash(chain, leaf) != rec->chain) {
      return fail(current, "hash chain broken: the stored chain value is not SHA-256(previous "
                           "chain || record)");
    }
    chain = rec->chain;
    frontier.Append(merkle::LeafHash(leaf), check_node);
    if (!tree_failure.empty()) return fail(current, tree_failure);
    for (auto& c : levels) RETURN_IF_ERROR(c->status());
    uint64_t& v = versions[rec->stream];
    if (rec->version != v + 1) {
      return fail(current, absl::StrCat("stream '", rec->stream, "' version ", rec->version,
                                        " follows version ", v, " (versions must be gap-free)"));
    }
    v = rec->version;
    const std::string pos_bytes = format::EncodeFixed64BE(current);
    std::string value;
    rocksdb::Status s = db.Get(ro, format::StreamKey(rec->stream, rec->version), &value);
    if (s.IsNotFound()) {
      return fail(current, absl::StrCat("stream index entry for '", rec->stream, "' version ",
                                        rec->version, " is missing"));
    }
    RETURN_IF_ERROR(FromRocks(s, "reading stream index"));
    if (value != pos_bytes) {
      auto p = format::DecodeFixed64BE(value);
      return fail(current, absl::StrCat("stream index entry for '", rec->stream, "' version ",
                                        rec->version, " points at ",
                                        p.ok() ? absl::StrCat("position ", *p) : "garbage",
                                        ", not at this record"));
    }
    s = db.Get(ro, format::IdKey(rec->id), &value);
    if (s.IsNotFound()) {
      return fail(current, absl::StrCat("id index entry for '", rec->id, "' is missing"));
    }
    RETURN_IF_ERROR(FromRocks(s, "reading id index"));
    if (value != pos_bytes) {
      auto p = format::DecodeFixed64BE(value);
      return fail(current, absl::StrCat("id index entry for '", rec->id, "' points at ",
                                        p.ok() ? absl::StrCat("position ", *p) : "garbage",
                                        ", not at this record (or the id is recorded twice)"));
    }
    if (durable.has_value() && current == durable->size && frontier.Root() != durable->root) {
      return fail(current, absl::StrCat(
          "the first ", current, " records have head ", current, ":",
          merkle::ToHex(frontier.Root()), " but the durable head file (", kHeadFileName,
          ") records ", FormatTreeHead(*durable),
          ", acknowledged earlier: the log is not the one that was acknowledged"));
    }
    ++expect;
    checked = current;
    if (progress && (current & 4095) == 0) progress(current, last);
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "scanning the log"));
  it.reset();
  const uint64_t n = expect - 1;
  if (n != last) {
    return fail(n + 1, absl::StrCat("the log ends at position ", n, " but has a key for position ",
                                    last));
  }
  if (durable.has_value() && durable->size > n) {
    return fail(n + 1, absl::StrCat("the log has head ", n, ":", merkle::ToHex(frontier.Root()),
                                    " but the durable head file (", kHeadFileName, ") records ",
                                    FormatTreeHead(*durable), ", acknowledged earlier: ",
                                    durable->size - n, " acknowledged events are missing"));
  }

  // Tree nodes beyond what the records complete (e.g. the log was truncated),
  // and keys in the tree's range that name no subtree.
  {
    std::unique_ptr<rocksdb::Iterator> t(db.NewIterator(ro));
    const std::string tree_tag(1, format::kTreeTag);
    t->Seek(tree_tag);
    if (t->Valid() && t->key().starts_with(tree_tag) &&
        !format::DecodeTreeNodeKey(t->key().ToStringView()).ok()) {
      return fail(0, "a Merkle tree key is malformed");
    }
    for (int level = 0; level < 64; ++level) {
      t->Seek(format::TreeNodeKey(level, n >> level));  // first subtree not complete
      const std::string prefix{format::kTreeTag, static_cast<char>(level)};
      if (!t->Valid() || !t->key().starts_with(prefix)) continue;
      auto k = format::DecodeTreeNodeKey(t->key().ToStringView());
      if (!k.ok()) return fail(0, absl::StrCat("a Merkle tree key at level ", level, " is malformed"));
      const uint64_t completes = k->second < (uint64_t{1} << (63 - level))
                                     ? (k->second + 1) << level
                                     : 0;
      return fail(completes, absl::StrCat(SubtreeName(level, k->second),
                                           " is stored but the log has only ", n,
                                           " events (records removed from the end?)"));
    }
    t->Seek(std::string{format::kTreeTag, static_cast<char>(64)});
    if (t->Valid() && t->key().starts_with(tree_tag)) {
      return fail(0, "a Merkle tree key has a level above 63");
    }
    RETURN_IF_ERROR(FromRocks(t->status(), "reading the Merkle tree"));
  }

  // Stream index entries that belong to no record. Every (stream, version)
  // with 1 <= version <= the stream's last version was checked above.
  {
    std::unique_ptr<rocksdb::Iterator> s(db.NewIterator(scan_ro));
    const std::string tag(1, format::kStreamTag);
    for (s->Seek(tag); s->Valid() && s->key().starts_with(tag); s->Next()) {
      auto sv = format::DecodeStreamKey(s->key().ToStringView());
      auto p = format::DecodeFixed64BE(s->value().ToStringView());
      const uint64_t at = p.ok() ? *p : 0;
      if (!sv.ok()) return fail(at, "a stream index key is malformed");
      auto v = versions.find(sv->first);
      if (v == versions.end() || sv->second == 0 || sv->second > v->second) {
        return fail(at, absl::StrCat("stream index entry for '", sv->first, "' version ",
                                     sv->second, " points at ",
                                     p.ok() ? absl::StrCat("position ", *p) : "garbage",
                                     " but no record is that stream version"));
      }
    }
    RETURN_IF_ERROR(FromRocks(s->status(), "reading stream index"));
  }

  // Id index entries that belong to no record: each must point at a record
  // that has its id (that record's check above then matched this entry).
  {
    std::unique_ptr<rocksdb::Iterator> s(db.NewIterator(scan_ro));
    const std::string tag(1, format::kIdTag);
    for (s->Seek(tag); s->Valid() && s->key().starts_with(tag); s->Next()) {
      const std::string id(s->key().ToStringView().substr(1));
      auto p = format::DecodeFixed64BE(s->value().ToStringView());
      if (!p.ok() || *p == 0 || *p > n) {
        return fail(p.ok() ? *p : 0,
                    absl::StrCat("id index entry for '", id, "' points at ",
                                 p.ok() ? absl::StrCat("position ", *p) : "garbage",
                                 ", which is not in the log"));
      }
      std::string value;
      RETURN_IF_ERROR(FromRocks(db.Get(ro, format::RecordKey(*p), &value), "reading the log"));
      auto rec = internal::DecodeRecordAt(*p, value);
      if (!rec.ok()) return fail(*p, std::string(rec.status().message()));
      if (rec->id != id) {
        return fail(*p, absl::StrCat("id index entry for '", id, "' points at position ", *p,
                                     " which holds '", rec->id, "'"));
      }
    }
    RETURN_IF_ERROR(FromRocks(s->status(), "reading id index"));
  }

  if (progress) progress(n, last);
  report.events = n;
  report.head = TreeHead{n, frontier.Root()};
  report.durable_head = durable;
  return report;
}

}  // namespace carelog
