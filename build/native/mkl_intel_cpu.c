/*
 * Preloaded by ./daformer on AMD CPUs with AVX-512 (see find_mkl_shim there).
 *
 * libtorch's CPU build links Intel MKL statically for float32 GEMM (every Linear layer, attention's
 * matmuls). MKL asks mkl_serv_intel_cpu_true() whether it runs on an Intel CPU and, on anything else,
 * takes a generic AVX2 code path: on the AMD EPYC of 2026-12-01 a 32768x512 . 512x2048 sgemm ran at
 * ~110 GFLOP/s instead of ~250 with the AVX-512 kernels that the CPU supports. Answering "yes" lets
 * MKL choose its kernels by the CPU's feature flags (cpuid), as it does on Intel CPUs.
 * `daformer info --check-numerics` compares the GEMMs and convolutions of our networks with float64
 * on the running CPU.
 */
int mkl_serv_intel_cpu_true(void) { return 1; }
