// ES_AVX2_CLONES, an attribute for hot loops (written [[ES_AVX2_CLONES]]): on x86-64 with GCC
// the function is also compiled for AVX2 and the loader picks the clone the CPU runs
// (function multiversioning), so a baseline x86-64 build uses wider registers where they
// exist. The AVX2 target has no FMA and the build contracts no multiply-add anyway
// (-ffp-contract=off, CMakeLists.txt), so both clones round alike (tests/test_engines.cpp
// checks the CPU search against the plain sampler bit for bit).
#pragma once

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define ES_AVX2_CLONES gnu::target_clones("avx2", "default")
#else
#define ES_AVX2_CLONES
#endif
