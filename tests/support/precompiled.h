#pragma once
// The headers nearly every test compiles, precompiled once for all test binaries when the build
// batches (PG_BATCH_BUILD: the sanitized build tools/test makes). Tests still include what they
// use; this only spares the compiler parsing these again per file.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "core/proto/message.h"
#include "sim/kernel/cluster.h"
