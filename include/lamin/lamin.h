// The whole public API of lamin in one include.
#pragma once

#include "lamin/artifact.h"
#include "lamin/fsck.h"
#include "lamin/instance.h"
#include "lamin/object_store.h"
#include "lamin/query.h"
#include "lamin/status.h"
