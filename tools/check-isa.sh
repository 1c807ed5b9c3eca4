#!/usr/bin/env bash
# tools/check-isa.sh [BINARY...]: checks that no code compiled for AVX2/AVX-512 can run on a CPU without it.
#
# The x86-64 binaries must run on every x86-64 CPU with POPCNT (SSE4.2 + POPCNT). Code compiled for a
# wider instruction set (units under `#pragma GCC target(...)` or with -mavx2 flags) is only safe where the
# CPU path dispatch calls it. The danger is an inline function or template instantiated both in such a unit
# and in a baseline one: both copies have the same symbol, the linker keeps one, and it may keep the VEX copy,
# which the scalar path then calls (SIGILL on a CPU without AVX). The rule (ruy's): what depends on the path
# is named after it, so different paths yield different symbols. Every ISA unit's code lives in its own
# namespace, xnor::avx2::, xnor::avx512::, xnor::avx512_vnni:: or xnor::avx512_amx:: (anonymous namespaces
# inside them are fine), and xsimd templates instantiated for an arch beyond SSE2 (xsimd::avx2,
# xsimd::fma3<xsimd::avx2>, xsimd::avx512f, xsimd::sse4_2, ...) are unique to the units of that arch.
#
# So: disassemble each binary, find every function with an instruction beyond x86-64 + SSE4.2 + POPCNT
# (VEX/EVEX instructions, AVX-512 mask k*, AMX tile*, BMI1/BMI2/LZCNT, MOVBE, ADX, AES, PCLMUL, SHA) and
# report those whose demangled name carries none of those namespaces or arches: they are leaks.
# It works at any optimization level (at -O0 nothing is inlined, so every shared instantiation shows).
# Given the ISA units' object files (e.g. $(find build/CMakeFiles -name '*avx*.o')), it sees every copy,
# also the ones the linker happened to drop: a latent leak that another link order would make real.
# Default binaries: build/xnor build/xnor-tests build/xnor-bench (those that exist). Exit 0: clean,
# 1: a leak, 2: usage error. A statically linked C library would report its own (cpuid-dispatched)
# AVX variants; the default build links it dynamically, so only PLT stubs appear, without such code.
set -euo pipefail

if (($# == 0)); then
  cd "$(dirname "$0")/.."
  for b in build/xnor build/xnor-tests build/xnor-bench; do [[ -f $b ]] && set -- "$@" "$b"; done
  if (($# == 0)); then
    echo "check-isa: no binary given and none of build/xnor, build/xnor-tests, build/xnor-bench exists" >&2
    exit 2
  fi
fi
command -v objdump >/dev/null || { echo "check-isa: objdump (binutils) is missing" >&2; exit 2; }

status=0
for binary in "$@"; do
  if ! objdump -f "$binary" >/dev/null; then echo "check-isa: $binary: not an object file objdump reads" >&2; exit 2; fi
  # objdump's instruction lines are "  4011a6:<TAB>vmovdqu %ymm0,(%rax)": the mnemonic is the first word
  # of the second tab-separated field, after any prefixes; function headers are "0000000000401000 <name>:".
  objdump -d --no-show-raw-insn -C "$binary" | awk -F'\t' -v binary="$binary" '
    BEGIN {
      # Beyond x86-64 + SSE4.2 + POPCNT. "v*" is every VEX/EVEX mnemonic (AVX, AVX2, FMA, F16C, AVX-512,
      # AVX-VNNI) except the baseline verr/verw. tzcnt is left out on purpose: F3 0F BC is also GCC\047s
      # "rep bsf", which it emits for ctz on any target (a pre-BMI CPU runs it as bsf, the same result).
      wide = "^(v|k(add|and|andn|mov|not|or|ortest|shiftl|shiftr|test|xnor|xor)[bwdq]$|kunpck(bw|wd|dq)$" \
             "|tile|tdp|ldtilecfg$|sttilecfg$" \
             "|(andn|bextr|blsi|blsmsk|blsr|bzhi|mulx|pdep|pext|rorx|sarx|shlx|shrx|lzcnt)[lq]?$" \
             "|movbe|adcx|adox|aes|pclmul|sha1|sha256)"
      prefix = "^(\\{vex\\}|\\{vex3\\}|\\{evex\\}|rex(\\.[WRXB]+)?|data16|data32|addr32|lock|rep|repz|repe|repnz|repne|notrack|bnd|cs|ds|es|ss|fs|gs)$"
      # The names that mark code as belonging to one ISA unit.
      allowed = "xnor::(avx2|avx512|avx512_vnni|avx512_amx)::|xsimd::(sse3|ssse3|sse4_1|sse4_2|fma3|fma4|avx[0-9a-z_]*)([^0-9a-z_]|$)"
    }
    /^[0-9a-f]+ <.*>:$/ { fn = substr($0, index($0, "<") + 1); fn = substr(fn, 1, length(fn) - 2); nfn++; next }
    NF >= 2 && $1 ~ /^ *[0-9a-f]+:$/ {
      n = split($2, w, " ")
      for (i = 1; i < n && w[i] ~ prefix; i++) {}
      if (w[i] !~ wide || w[i] ~ /^ver[rw]$/) next
      if (!(fn in wide_count)) nwide++
      if (wide_count[fn]++ == 0) { example[fn] = $2; sub(/ *#.*/, "", example[fn]) }
    }
    END {
      for (f in wide_count) {
        if (f ~ allowed) continue
        nleak++
        name = length(f) > 200 ? substr(f, 1, 200) "..." : f
        printf "check-isa: %s: LEAK %s\n    %d such instructions, e.g. %s\n", binary, name, wide_count[f], example[f]
      }
      if (nleak) {
        printf "check-isa: %s: %d of %d functions with AVX code are outside the AVX units\047 namespaces\n", binary, nleak, nwide
        exit 1
      }
      printf "check-isa: %s: %d functions, %d with AVX code, all in the AVX units\047 namespaces\n", binary, nfn, nwide
    }' || status=1
done
exit $status
