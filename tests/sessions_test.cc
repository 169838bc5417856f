// tools/web/auth/sessions.h: the web application's sessions, on a clock the
// test moves by hand.
#include "tools/web/auth/sessions.h"

#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "gtest/gtest.h"
#include "store/base/clock.h"

namespace carelog {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1767261600);  // 2026-01-01T10:00:00Z
constexpr absl::Duration kTick = absl::Microseconds(1);

bool IsHex64(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c)) && (c < 'a' || c > 'f')) return false;
  }
  return true;
}

TEST(SessionsTest, CreateGivesRandomIdAndCsrfTokenAndFindReturnsTheSession) {
  FakeClock clock(kStart);
  SessionTable table(&clock);
  auto a = table.Create("jo", "iro_manager");
  auto b = table.Create("jo", "iro_manager");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_TRUE(IsHex64(a->id)) << a->id;
  EXPECT_TRUE(IsHex64(a->csrf_token)) << a->csrf_token;
  EXPECT_NE(a->id, a->csrf_token);
  EXPECT_NE(a->id, b->id);
  EXPECT_NE(a->csrf_token, b->csrf_token);
  EXPECT_EQ(a->created, kStart);
  EXPECT_EQ(a->last_seen, kStart);

  clock.Advance(absl::Minutes(3));
  auto found = table.Find(a->id);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->user, "jo");
  EXPECT_EQ(found->role, "iro_manager");
  EXPECT_EQ(found->csrf_token, a->csrf_token);
  EXPECT_EQ(found->created, kStart);
  EXPECT_EQ(found->last_seen, kStart + absl::Minutes(3));
  // Nearly the id is not the id.
  std::string near = a->id;
  near[10] = near[10] == '0' ? '1' : '0';
  EXPECT_FALSE(table.Find(near).has_value());
  EXPECT_FALSE(table.Find("").has_value());
  EXPECT_FALSE(table.Find(a->id.substr(0, 63)).has_value());
}

TEST(SessionsTest, IdleExpiryIsExact) {
  FakeClock clock(kStart);
  SessionTable table(&clock);
  auto s = table.Create("jo", "qa");
  ASSERT_TRUE(s.ok());
  // Each use restarts the 30 minutes.
  clock.Advance(absl::Minutes(30) - kTick);
  ASSERT_TRUE(table.Find(s->id).has_value());
  clock.Advance(absl::Minutes(30) - kTick);
  ASSERT_TRUE(table.Find(s->id).has_value());
  // Exactly 30 minutes after the last use: gone, and stays gone.
  clock.Advance(absl::Minutes(30));
  EXPECT_FALSE(table.Find(s->id).has_value());
  EXPECT_EQ(table.size(), 0u);
  clock.Set(kStart);
  EXPECT_FALSE(table.Find(s->id).has_value());
}

TEST(SessionsTest, AbsoluteExpiryIsExactWhateverTheUse) {
  FakeClock clock(kStart);
  SessionTable table(&clock, SessionLimits{absl::Minutes(30), absl::Hours(8), 100});
  auto s = table.Create("jo", "auditor");
  ASSERT_TRUE(s.ok());
  // Used every 20 minutes for a working day.
  while (clock.Now() + absl::Minutes(20) < kStart + absl::Hours(8)) {
    clock.Advance(absl::Minutes(20));
    ASSERT_TRUE(table.Find(s->id).has_value()) << clock.Now();
  }
  clock.Set(kStart + absl::Hours(8) - kTick);
  ASSERT_TRUE(table.Find(s->id).has_value());
  clock.Set(kStart + absl::Hours(8));
  EXPECT_FALSE(table.Find(s->id).has_value());
}

TEST(SessionsTest, OtherLimitsAreHonoured) {
  FakeClock clock(kStart);
  SessionTable table(&clock, SessionLimits{absl::Minutes(5), absl::Minutes(12), 100});
  auto s = table.Create("jo", "auditor");
  ASSERT_TRUE(s.ok());
  clock.Advance(absl::Minutes(5) - kTick);
  ASSERT_TRUE(table.Find(s->id).has_value());
  clock.Advance(absl::Minutes(5));
  EXPECT_FALSE(table.Find(s->id).has_value());
}

TEST(SessionsTest, RemoveEndsOneSessionAndRemoveUserAllOfTheirs) {
  FakeClock clock(kStart);
  SessionTable table(&clock);
  auto a = table.Create("jo", "qa");
  auto b = table.Create("jo", "qa");
  auto c = table.Create("sam", "admin");
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  table.Remove(a->id);
  table.Remove("not a session");
  EXPECT_FALSE(table.Find(a->id).has_value());
  EXPECT_TRUE(table.Find(b->id).has_value());
  EXPECT_EQ(table.RemoveUser("jo"), 1);
  EXPECT_FALSE(table.Find(b->id).has_value());
  EXPECT_TRUE(table.Find(c->id).has_value());
  EXPECT_EQ(table.size(), 1u);
}

TEST(SessionsTest, WhenFullTheLeastRecentlySeenGoes) {
  FakeClock clock(kStart);
  SessionTable table(&clock, SessionLimits{absl::Minutes(30), absl::Hours(8), 3});
  auto a = table.Create("a", "qa");
  clock.Advance(absl::Seconds(1));
  auto b = table.Create("b", "qa");
  clock.Advance(absl::Seconds(1));
  auto c = table.Create("c", "qa");
  clock.Advance(absl::Seconds(1));
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  // a, the oldest, was used last: b is now the least recently seen.
  ASSERT_TRUE(table.Find(a->id).has_value());
  auto d = table.Create("d", "qa");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(table.size(), 3u);
  EXPECT_FALSE(table.Find(b->id).has_value());
  EXPECT_TRUE(table.Find(a->id).has_value());
  EXPECT_TRUE(table.Find(c->id).has_value());
  EXPECT_TRUE(table.Find(d->id).has_value());
  // Now a, c, d were seen in that order: a goes next.
  auto e = table.Create("e", "qa");
  ASSERT_TRUE(e.ok());
  EXPECT_FALSE(table.Find(a->id).has_value());
  EXPECT_EQ(table.size(), 3u);
}

TEST(SessionsTest, CsrfTokenMustMatchExactly) {
  FakeClock clock(kStart);
  SessionTable table(&clock);
  auto a = table.Create("jo", "qa");
  auto b = table.Create("jo", "qa");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_TRUE(CsrfMatches(*a, a->csrf_token));
  EXPECT_FALSE(CsrfMatches(*a, b->csrf_token));
  EXPECT_FALSE(CsrfMatches(*a, ""));
  EXPECT_FALSE(CsrfMatches(*a, a->csrf_token.substr(0, 63)));
  EXPECT_FALSE(CsrfMatches(*a, a->csrf_token + "0"));
  EXPECT_FALSE(CsrfMatches(*a, a->id));
  std::string flipped = a->csrf_token;
  flipped[63] = flipped[63] == 'a' ? 'b' : 'a';
  EXPECT_FALSE(CsrfMatches(*a, flipped));
  Session none = *a;
  none.csrf_token.clear();
  EXPECT_FALSE(CsrfMatches(none, ""));
}

TEST(SessionsTest, ManyThreadsAtOnce) {
  FakeClock clock(kStart);
  // Room for all: every session made is found by its maker.
  SessionTable roomy(&clock, SessionLimits{absl::Minutes(30), absl::Hours(8), 1000});
  // Room for 50: the table never holds more, however the threads interleave.
  SessionTable tight(&clock, SessionLimits{absl::Minutes(30), absl::Hours(8), 50});
  std::vector<std::thread> threads;
  std::vector<int> found(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        auto s = roomy.Create("u", "qa");
        if (s.ok() && roomy.Find(s->id).has_value()) ++found[t];
        if (tight.Create("u", "qa").ok() && tight.size() > 50) found[t] = -1000;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(found, std::vector<int>(4, 200));
  EXPECT_EQ(roomy.size(), 800u);
  EXPECT_EQ(tight.size(), 50u);
}

}  // namespace
}  // namespace carelog
