#include "tools/web/look/assets.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "store/base/sha256.h"
#include "tools/web/look/embedded_assets.h"

namespace carelog::web {
namespace {

// The assets with their ETags, built once (a function-local static: the
// first call from any thread builds it, the others wait).
struct Table {
  std::vector<std::string> etags;  // owns the strings Asset::etag points into
  std::vector<Asset> assets;
};

const Table& TheTable() {
  static const Table* table = [] {
    auto* t = new Table;
    const auto& files = EmbeddedAssetFiles();
    t->etags.reserve(files.size());  // no reallocation: the views stay valid
    for (const EmbeddedAssetFile& f : files) {
      t->etags.push_back(absl::StrCat("\"", Sha256Hex(f.body).substr(0, 32), "\""));
      t->assets.push_back(Asset{f.path, f.content_type, f.body, t->etags.back()});
    }
    return t;
  }();
  return *table;
}

}  // namespace

const Asset* FindAsset(std::string_view path) {
  // A handful of assets: a linear scan is as fast as a map.
  for (const Asset& a : TheTable().assets) {
    if (a.path == path) return &a;
  }
  return nullptr;
}

const std::vector<Asset>& AllAssets() { return TheTable().assets; }

}  // namespace carelog::web
