// What protocol engines get from `serve`: the configuration and the shared services.
// Everything here outlives every session (serve() owns it until the runtime stopped).
#pragma once

#include <memory>

#include "base/config.h"
#include "blob/blob_store.h"
#include "net/runtime.h"
#include "net/tls.h"
#include "store/api/store.h"

namespace postamt::app {

struct ServeContext {
  const Config* config = nullptr;
  net::Runtime* runtime = nullptr;
  store::Store* store = nullptr;  // blocking: call through runtime->run_blocking
  blob::BlobStore* blobs = nullptr;
  std::shared_ptr<net::TlsContext> tls;
};

}  // namespace postamt::app
