#include "engine/ssda903_import.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "engine/calendar.h"
#include "engine/code_lists.h"
#include "engine/event_time.h"
#include "engine/importer.h"
#include "engine/ssda903_source.h"

namespace carelog {
namespace {

constexpr int kHeader = 0, kEpisodes = 1, kReviews = 2;
constexpr const char* kFileNames[3] = {"header.csv", "episodes.csv", "reviews.csv"};
const std::vector<std::vector<std::string>> kColumns = {
    {"CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"},
    {"CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC",
     "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN"},
    {"CHILD", "DOB", "REVIEW", "REVIEW_CODE"},
};

uint64_t Fnv1a(std::string_view s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

std::string RowId(std::string_view prefix, const std::vector<std::string>& row) {
  // Fields joined with a separator no CSV field here contains unescaped.
  return absl::StrCat(std::string(prefix), absl::StrFormat("%016x", Fnv1a(absl::StrJoin(row, "\x1f"))));
}

struct Table {
  std::string path;
  std::vector<std::vector<std::string>> rows;  // in column order of kColumns
  std::vector<uint64_t> lines;                 // 1-based line of each row
};

absl::StatusOr<Table> ReadTable(const std::string& dir, int file) {
  Table t;
  t.path = dir + "/" + kFileNames[file];
  std::ifstream f(t.path, std::ios::binary);
  if (!f) {
    std::string alt = kFileNames[file];
    alt[0] = static_cast<char>(absl::ascii_toupper(alt[0]));
    std::string alt_path = dir + "/" + alt;
    f.open(alt_path, std::ios::binary);
    if (!f) return absl::NotFoundError(absl::StrCat("cannot open ", t.path));
    t.path = alt_path;
  }
  std::string line;
  uint64_t n = 0;
  std::vector<int> index;
  while (std::getline(f, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (n == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);
    if (n == 1) {
      std::vector<std::string> head = SplitCsvLine(line);
      for (const std::string& want : kColumns[file]) {
        auto it = std::find_if(head.begin(), head.end(), [&](const std::string& h) {
          return absl::AsciiStrToUpper(absl::StripAsciiWhitespace(h)) == want;
        });
        if (it == head.end()) {
          return absl::InvalidArgumentError(
              absl::StrCat(t.path, ":1: missing column ", want));
        }
        index.push_back(static_cast<int>(it - head.begin()));
      }
      continue;
    }
    if (absl::StripAsciiWhitespace(line).empty()) continue;
    std::vector<std::string> fields = SplitCsvLine(line);
    std::vector<std::string> row;
    row.reserve(index.size());
    for (int i : index) {
      row.push_back(i < static_cast<int>(fields.size())
                        ? std::string(absl::StripAsciiWhitespace(fields[i]))
                        : std::string());
    }
    t.rows.push_back(std::move(row));
    t.lines.push_back(n);
  }
  if (n == 0) return absl::InvalidArgumentError(absl::StrCat(t.path, ": empty (no header line)"));
  return t;
}

v1::Event Envelope(std::string id, const std::string& child, absl::CivilDay day) {
  v1::Event e;
  e.set_event_id(std::move(id));
  e.set_case_id(child);
  *e.mutable_occurred_at() = LondonNoon(day);
  e.mutable_actor()->set_id("ssda903-import");
  e.mutable_actor()->set_role(v1::SYSTEM);
  e.set_source("ssda903");
  return e;
}

// An event waiting to be ordered within its child's history.
struct Pending {
  absl::CivilDay day;
  int rank;  // same day: ends 0, starts 1, reviews 2
  uint64_t seq;
  v1::Event event;
  int file;
  uint64_t line;
};

}  // namespace

google::protobuf::Timestamp LondonNoon(absl::CivilDay day) {
  const absl::Time utc_noon = absl::FromCivil(absl::CivilSecond(day.year(), day.month(),
                                                                day.day(), 12, 0, 0),
                                              absl::UTCTimeZone());
  const absl::Time t = utc_noon - LondonOffset(utc_noon);
  google::protobuf::Timestamp ts;
  ts.set_seconds(absl::ToUnixSeconds(t));
  return ts;
}

absl::StatusOr<absl::CivilDay> Parse903Date(std::string_view text) {
  auto bad = [&] {
    return absl::InvalidArgumentError(
        absl::StrCat("bad date '", std::string(text), "': want DD/MM/YYYY"));
  };
  if (text.size() != 10 || text[2] != '/' || text[5] != '/') return bad();
  for (size_t i : {0, 1, 3, 4, 6, 7, 8, 9}) {
    if (text[i] < '0' || text[i] > '9') return bad();
  }
  auto num = [&](size_t pos, size_t len) {
    int v = 0;
    for (size_t i = pos; i < pos + len; ++i) v = v * 10 + (text[i] - '0');
    return v;
  };
  const int d = num(0, 2), m = num(3, 2), y = num(6, 4);
  const absl::CivilDay day(y, m, d);
  if (day.year() != y || day.month() != m || day.day() != d) return bad();
  return day;
}

std::string Format903Date(absl::CivilDay day) {
  return absl::StrFormat("%02d/%02d/%04d", day.day(), day.month(), day.year());
}

std::vector<std::string> SplitCsvLine(std::string_view line) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cur += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cur += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(std::move(cur));
  return out;
}

absl::StatusOr<Ssda903Events> Convert903(const std::string& dir, absl::Time now,
                                         const std::vector<std::pair<int, uint64_t>>& skip_list) {
  Ssda903Events out;
  Table tables[3];
  for (int f = 0; f < 3; ++f) {
    auto t = ReadTable(dir, f);
    if (!t.ok()) return t.status();
    tables[f] = std::move(*t);
    out.files.push_back(tables[f].path);
    out.rows[f] = tables[f].rows.size();
  }
  const std::set<std::pair<int, uint64_t>> skip(skip_list.begin(), skip_list.end());
  const absl::CivilDay today = LondonToday(now + absl::Minutes(5));
  std::map<std::pair<int, uint64_t>, std::string> refusals;
  auto refuse = [&](int f, uint64_t line, std::string reason) {
    refusals.emplace(std::make_pair(f, line), std::move(reason));
  };
  auto date = [&](int f, uint64_t line, std::string_view col, const std::string& text,
                  bool required) -> std::optional<absl::CivilDay> {
    if (text.empty()) {
      if (required) refuse(f, line, absl::StrCat(std::string(col), ": missing"));
      return std::nullopt;
    }
    auto d = Parse903Date(text);
    if (!d.ok()) {
      refuse(f, line, absl::StrCat(std::string(col), ": ", std::string(d.status().message())));
      return std::nullopt;
    }
    if (*d > today) {
      refuse(f, line, absl::StrCat(std::string(col), ": ", text, " is in the future"));
      return std::nullopt;
    }
    return *d;
  };
  auto code = [&](int f, uint64_t line, std::string_view col, CodeList list,
                  const std::string& value, absl::CivilDay on) {
    if (value.empty()) {
      refuse(f, line, absl::StrCat(std::string(col), ": missing"));
      return false;
    }
    absl::Status s = CheckCode(list, value, on);
    if (!s.ok()) refuse(f, line, absl::StrCat(std::string(col), ": ", std::string(s.message())));
    return s.ok();
  };

  std::vector<Pending> pending;
  uint64_t seq = 0;

  // Header.
  struct Child {
    std::string dob_text;
    uint64_t line = 0;
  };
  absl::flat_hash_map<std::string, Child> children;
  {
    const Table& t = tables[kHeader];
    for (size_t i = 0; i < t.rows.size(); ++i) {
      const auto& r = t.rows[i];
      const uint64_t line = t.lines[i];
      if (skip.count({kHeader, line})) continue;
      const size_t before = refusals.size();
      if (r[0].empty()) refuse(kHeader, line, "CHILD: missing");
      auto dob = date(kHeader, line, "DOB", r[2], true);
      auto mc = date(kHeader, line, "MC_DOB", r[6], false);
      if (refusals.size() == before && children.contains(r[0])) {
        const Child& c = children[r[0]];
        if (c.dob_text != r[2]) {
          refuse(kHeader, line,
                 absl::StrCat("CHILD ", r[0], " is already on line ", c.line,
                              " with another DOB"));
        }
      }
      if (refusals.size() != before) continue;
      if (!children.contains(r[0])) children[r[0]] = Child{r[2], line};
      v1::Event e = Envelope(RowId("903-h-", r), r[0], *dob);
      auto* p = e.mutable_child_registered();
      p->set_date_of_birth(FormatDate(*dob));
      p->set_sex(r[1]);
      p->set_ethnicity(r[3]);
      p->set_upn(r[4]);
      p->set_mother(r[5]);
      if (mc) p->set_mother_child_dob(FormatDate(*mc));
      pending.push_back({*dob, -1, seq++, std::move(e), kHeader, line});
      ++out.accepted[kHeader];
    }
  }

  // Episodes: check each row, then walk each child's episodes in DECOM order.
  struct Episode {
    size_t row;
    uint64_t line;
    absl::CivilDay decom;
    std::optional<absl::CivilDay> dec;
  };
  absl::flat_hash_map<std::string, std::vector<Episode>> by_child;
  std::vector<std::string> child_order;
  {
    const Table& t = tables[kEpisodes];
    for (size_t i = 0; i < t.rows.size(); ++i) {
      const auto& r = t.rows[i];
      const uint64_t line = t.lines[i];
      if (skip.count({kEpisodes, line})) continue;
      const size_t before = refusals.size();
      if (r[0].empty()) {
        refuse(kEpisodes, line, "CHILD: missing");
        continue;
      }
      if (!children.contains(r[0])) {
        refuse(kEpisodes, line, absl::StrCat("CHILD ", r[0], " is not in the header"));
        continue;
      }
      auto decom = date(kEpisodes, line, "DECOM", r[1], true);
      auto dec = date(kEpisodes, line, "DEC", r[7], false);
      if (r[2].empty()) refuse(kEpisodes, line, "RNE: missing");
      if (decom) {
        code(kEpisodes, line, "LS", CodeList::kLegalStatus, r[3], *decom);
        code(kEpisodes, line, "PLACE", CodeList::kPlacement, r[5], *decom);
        if (!r[8].empty() || dec) {
          code(kEpisodes, line, "REC", CodeList::kReasonCeased, r[8], dec.value_or(*decom));
        }
        if (dec && *dec < *decom) {
          refuse(kEpisodes, line, absl::StrCat("DEC ", r[7], " is before DECOM ", r[1]));
        }
      }
      if (refusals.size() != before) continue;
      auto& list = by_child[r[0]];
      if (list.empty()) child_order.push_back(r[0]);
      list.push_back({i, line, *decom, dec});
    }
  }
  for (const std::string& child : child_order) {
    auto& eps = by_child[child];
    std::stable_sort(eps.begin(), eps.end(),
                     [](const Episode& a, const Episode& b) { return a.decom < b.decom; });
    // Drop episodes that overlap their successor until none do.
    for (bool changed = true; changed;) {
      changed = false;
      for (size_t k = 0; k + 1 < eps.size(); ++k) {
        const Episode& a = eps[k];
        const Episode& b = eps[k + 1];
        const auto& br = tables[kEpisodes].rows[b.row];
        std::string why;
        if (!a.dec) {
          why = absl::StrCat("no DEC, but the child's next episode starts ", br[1], " (line ",
                             b.line, ")");
        } else if (*a.dec > b.decom) {
          why = absl::StrCat("DEC ", tables[kEpisodes].rows[a.row][7],
                             " overlaps the child's next episode, which starts ", br[1],
                             " (line ", b.line, ")");
        } else if (a.decom == b.decom) {
          why = absl::StrCat("starts the same day as another episode of the child (line ",
                             b.line, ")");
        }
        if (!why.empty()) {
          refuse(kEpisodes, a.line, why);
          eps.erase(eps.begin() + k);
          changed = true;
          break;
        }
      }
    }
    bool looked_after = false;
    std::string current_ls;
    for (size_t k = 0; k < eps.size(); ++k) {
      const Episode& ep = eps[k];
      const auto& r = tables[kEpisodes].rows[ep.row];
      const std::string base = RowId("903-e-", r);
      if (!looked_after) {
        v1::Event e = Envelope(base + "-a", child, ep.decom);
        e.mutable_child_accommodated()->set_legal_status(r[3]);
        e.mutable_child_accommodated()->set_placement_type(r[5]);
        pending.push_back({ep.decom, 1, seq++, std::move(e), kEpisodes, ep.line});
        looked_after = true;
      } else if (r[3] != current_ls) {
        v1::Event e = Envelope(base + "-l", child, ep.decom);
        e.mutable_legal_status_changed()->set_legal_status(r[3]);
        pending.push_back({ep.decom, 1, seq++, std::move(e), kEpisodes, ep.line});
      }
      current_ls = r[3];
      {
        v1::Event e = Envelope(base + "-p", child, ep.decom);
        auto* p = e.mutable_placement_started();
        p->set_placement_type(r[5]);
        p->set_provider(r[6]);
        p->set_reason_place_change(r[9]);
        p->set_placement_id(base);
        p->set_legal_status(r[3]);
        p->set_rne(r[2]);
        p->set_cin(r[4]);
        p->set_home_postcode(r[10]);
        p->set_placement_postcode(r[11]);
        p->set_urn(r[12]);
        if (!ep.dec) p->set_reason_ceased_without_end(r[8]);
        pending.push_back({ep.decom, 1, seq++, std::move(e), kEpisodes, ep.line});
      }
      if (ep.dec) {
        v1::Event e = Envelope(base + "-e", child, *ep.dec);
        e.mutable_placement_ended()->set_placement_id(base);
        e.mutable_placement_ended()->set_reason(r[8]);
        pending.push_back({*ep.dec, 0, seq++, std::move(e), kEpisodes, ep.line});
        const bool continues = r[8] == "X1" && k + 1 < eps.size() && eps[k + 1].decom == *ep.dec;
        if (!continues) {
          v1::Event c = Envelope(base + "-c", child, *ep.dec);
          c.mutable_child_ceased_looked_after()->set_reason(r[8]);
          pending.push_back({*ep.dec, 0, seq++, std::move(c), kEpisodes, ep.line});
          looked_after = false;
        }
      }
    }
    out.accepted[kEpisodes] += eps.size();
  }

  // Reviews.
  {
    const Table& t = tables[kReviews];
    for (size_t i = 0; i < t.rows.size(); ++i) {
      const auto& r = t.rows[i];
      const uint64_t line = t.lines[i];
      if (skip.count({kReviews, line})) continue;
      const size_t before = refusals.size();
      auto it = children.find(r[0]);
      if (r[0].empty()) {
        refuse(kReviews, line, "CHILD: missing");
        continue;
      }
      if (it == children.end()) {
        refuse(kReviews, line, absl::StrCat("CHILD ", r[0], " is not in the header"));
        continue;
      }
      if (r[1] != it->second.dob_text) {
        refuse(kReviews, line,
               absl::StrCat("DOB '", r[1], "' differs from the header's ", it->second.dob_text,
                            " (line ", it->second.line, ")"));
        continue;
      }
      auto held = date(kReviews, line, "REVIEW", r[2], true);
      if (held) code(kReviews, line, "REVIEW_CODE", CodeList::kParticipation, r[3], *held);
      if (refusals.size() != before) continue;
      const std::string id = RowId("903-r-", r);
      v1::Event e = Envelope(id, r[0], *held);
      e.mutable_review_held()->set_review_id(id);
      e.mutable_review_held()->set_participation(r[3]);
      pending.push_back({*held, 2, seq++, std::move(e), kReviews, line});
      ++out.accepted[kReviews];
    }
  }

  // Each child's events in date order (same day: ends, starts, reviews; then
  // as read); children in order of first appearance.
  absl::flat_hash_map<std::string, size_t> child_rank;
  for (const Pending& p : pending) child_rank.emplace(p.event.case_id(), child_rank.size());
  std::sort(pending.begin(), pending.end(), [&](const Pending& a, const Pending& b) {
    const size_t ca = child_rank[a.event.case_id()], cb = child_rank[b.event.case_id()];
    if (ca != cb) return ca < cb;
    if (a.day != b.day) return a.day < b.day;
    if (a.rank != b.rank) return a.rank < b.rank;
    return a.seq < b.seq;
  });
  out.events.reserve(pending.size());
  for (Pending& p : pending) {
    out.origin.push_back({p.file, p.line});
    out.events.push_back(std::move(p.event));
  }
  for (const auto& [where, reason] : refusals) {
    out.refused.push_back(absl::StrCat(out.files[where.first], ":", where.second, ": ", reason));
  }
  return out;
}

absl::StatusOr<Import903Report> Import903(EventStore* store, const std::string& dir,
                                          const Import903Options& options) {
  Clock* clock = options.clock != nullptr ? options.clock : SystemClock();
  std::vector<std::pair<int, uint64_t>> skip;   // rows the log refused (skip_invalid)
  std::vector<std::string> log_refusals;        // their messages
  Import903Report report;
  auto finish = [&](const Ssda903Events& conv, std::vector<std::string> refused) {
    for (int f = 0; f < 3; ++f) {
      report.rows[f] = conv.rows[f];
      report.accepted[f] = conv.accepted[f];
    }
    refused.insert(refused.end(), log_refusals.begin(), log_refusals.end());
    report.refused = refused.size();
    if (options.on_refused) {
      for (const std::string& s : refused) options.on_refused(s);
    }
  };
  for (int attempt = 0;; ++attempt) {
    auto conv = Convert903(dir, clock->Now(), skip);
    if (!conv.ok()) return conv.status();
    if (!conv->refused.empty() && !options.skip_invalid) {
      finish(*conv, conv->refused);
      return report;
    }
    Ssda903Source source(conv->events);
    std::vector<std::pair<int, uint64_t>> refused_rows;
    std::vector<std::string> refused_text;
    ImportOptions io;
    io.clock = clock;
    io.on_refused = [&](uint64_t line, const absl::Status& s) {
      const auto& o = conv->origin[line - 1];
      const std::string text =
          absl::StrCat(conv->files[o.first], ":", o.second, ": ", std::string(s.message()));
      if (!refused_rows.empty() && refused_rows.back() == o) return;  // one per row
      refused_rows.push_back(o);
      refused_text.push_back(text);
    };
    auto r = ImportEvents(store, source, io);
    if (!r.ok()) return r.status();
    if (r->refused == 0) {
      report.events = r->events;
      report.appended = r->appended;
      report.already_present = r->already_present;
      finish(*conv, conv->refused);
      return report;
    }
    if (!options.skip_invalid || attempt >= 5) {
      report.accepted[0] = report.accepted[1] = report.accepted[2] = 0;
      std::vector<std::string> all = conv->refused;
      all.insert(all.end(), refused_text.begin(), refused_text.end());
      finish(*conv, std::move(all));
      report.accepted[0] = report.accepted[1] = report.accepted[2] = 0;
      return report;
    }
    skip.insert(skip.end(), refused_rows.begin(), refused_rows.end());
    log_refusals.insert(log_refusals.end(), refused_text.begin(), refused_text.end());
  }
}

}  // namespace carelog
