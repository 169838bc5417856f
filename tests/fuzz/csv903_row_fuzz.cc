// SSDA903 CSV rows (untrusted: a council's export) through the CSV splitter,
// the date parser and the whole conversion. The first input byte picks the
// file (header, episodes or reviews) that gets the rest of the input as its
// data rows; the other two files hold one valid child.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "engine/ssda903_import.h"

namespace {

const char* kHeader[] = {"CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n",
                         ("CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,"
                          "HOME_POST,PL_POST,URN\n"),
                         "CHILD,DOB,REVIEW,REVIEW_CODE\n"};
const char* kRows[] = {"566910,2,27/03/2008,WROM,D051910639385,,\n",
                       ("566910,15/02/2016,L,C2,N3,T2,PR0,14/08/2017,X1,CLOSE,,,4244474\n"
                        "566910,14/08/2017,T,C2,N3,A3,PR3,,X1,,EG19 7TT,WV27 9FW,8969628\n"),
                       "566910,27/03/2008,30/08/2017,PN6\n"};
const char* kFiles[] = {"header.csv", "episodes.csv", "reviews.csv"};

const std::string& Dir() {
  static const std::string dir = [] {
    std::string base = std::filesystem::is_directory("/dev/shm") ? "/dev/shm" : "/tmp";
    std::string d = base + "/carelog-903-fuzz-" + std::to_string(getpid());
    std::filesystem::create_directories(d);
    return d;
  }();
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1 || size > 16 * 1024) return 0;
  const int which = data[0] % 3;
  std::string_view rows(reinterpret_cast<const char*>(data + 1), size - 1);

  // The row-level pieces directly.
  size_t start = 0;
  while (start <= rows.size()) {
    size_t nl = rows.find('\n', start);
    if (nl == std::string_view::npos) nl = rows.size();
    for (const std::string& field : carelog::SplitCsvLine(rows.substr(start, nl - start))) {
      auto day = carelog::Parse903Date(field);
      if (day.ok() && carelog::Format903Date(*day) != field) std::abort();
    }
    start = nl + 1;
  }

  // The whole conversion.
  for (int f = 0; f < 3; ++f) {
    std::ofstream out(Dir() + "/" + kFiles[f], std::ios::binary | std::ios::trunc);
    out << kHeader[f];
    if (f == which) {
      out.write(rows.data(), static_cast<std::streamsize>(rows.size()));
    } else {
      out << kRows[f];
    }
  }
  auto events = carelog::Convert903(Dir(), absl::FromUnixSeconds(1767225600));
  (void)events;
  return 0;
}
