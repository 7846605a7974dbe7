// The qualifier that lets one function compile for the host and the device: nvcc sees
// __host__ __device__, a host compiler nothing (CCCL 3 no longer defines __host__ and
// __device__ for host compilers, so shared headers use this macro instead).
#pragma once

#if defined(__CUDACC__)
#define ES_HD __host__ __device__
#else
#define ES_HD
#endif
