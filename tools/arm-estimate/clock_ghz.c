/* clock_ghz: prints this x86-64 host's core clock under load in GHz, for the x86 check of
 * tools/arm-estimate.sh (which turns estimated cycles into time). /proc/cpuinfo gives the nominal clock of a
 * virtual machine, not the boost clock the benchmarks run at. Method: a chain of dependent register adds
 * runs at one add per cycle on every x86-64 core, so adds / seconds is the clock.
 * Build: gcc -O2 -o clock_ghz clock_ghz.c */
#include <stdio.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

int main(void) {
  const long rounds = 100000000; /* 16 adds each: about 0.5 s at 3 GHz */
  double best = 0;
  for (int trial = 0; trial < 3; trial++) {
    unsigned long x = 0;
    long n = rounds;
    const double t0 = now();
    /* The loop counter runs on other ports in parallel with the add chain, which alone sets the pace. */
    __asm__ volatile(
        "1:\n"
        ".rept 16\n add $1, %0\n .endr\n"
        "dec %1\n jnz 1b\n"
        : "+r"(x), "+r"(n));
    const double ghz = 16.0 * rounds / (now() - t0) / 1e9;
    if (ghz > best) best = ghz;
  }
  printf("%.2f\n", best);
  return 0;
}
