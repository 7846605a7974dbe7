// toml++ under either of its names: Debian ships toml++/toml.h, upstream's single header
// (used where the headers are passed in, e.g. on the GPU machine) is toml++/toml.hpp.
#pragma once

#if __has_include(<toml++/toml.hpp>)
#include <toml++/toml.hpp>
#else
#include <toml++/toml.h>
#endif
