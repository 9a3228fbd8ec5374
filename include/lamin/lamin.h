// The whole public API of lamin in one include (lamin/json.h, the JSON forms, is separate: it
// brings nlohmann/json).
#pragma once

#include "lamin/annotation.h"
#include "lamin/annotations.h"
#include "lamin/artifact.h"
#include "lamin/artifacts.h"
#include "lamin/collections.h"
#include "lamin/fsck.h"
#include "lamin/instance.h"
#include "lamin/lineage.h"
#include "lamin/object_store.h"
#include "lamin/query.h"
#include "lamin/record.h"
#include "lamin/records.h"
#include "lamin/status.h"
#include "lamin/storages.h"
