// The RocksDB database under an open store, for store/'s own files that
// work beside it (backup's checkpoint of the files) and for tests that must
// go behind the store's back (damage it, compare its bytes). Nothing outside
// store/ and tests/ includes this: the product reads and writes the log
// through EventStoreReader and EventStore.
#ifndef CARELOG_STORE_INTERNAL_STORE_INTERNALS_H_
#define CARELOG_STORE_INTERNAL_STORE_INTERNALS_H_

#include "rocksdb/db.h"
#include "store/event_store.h"

namespace carelog::internal {

class StoreInternals {
 public:
  // Not owned: lives as long as the store.
  static rocksdb::DB* Db(const EventStoreReader& store) { return store.db_.get(); }
};

}  // namespace carelog::internal

#endif  // CARELOG_STORE_INTERNAL_STORE_INTERNALS_H_
