#!/usr/bin/env python3
"""Estimates benchmark rows' run time on CPU models without the CPU: executed-block counts x llvm-mca cycles.

Called by tools/arm-estimate.sh (which builds the plugin and fetches what it needs); Python 3 stdlib only.
Method, per benchmark row (one qemu run per row, so rows never mix):
  1. qemu-user runs the row with the block_counts plugin, which counts each translation block's executions
     inside Google Benchmark's timed loop only, and records the block's instruction bytes.
  2. A loop that qemu split into blocks at a page boundary is joined into one block again. The hottest blocks
     that together cover >= 99% of executed instructions are disassembled (llvm-mc) and
     priced by llvm-mca per core model. A block that branches back to its own start is a loop: its price is
     Total Cycles / Iterations (steady state, loop-carried dependencies included). Any other block runs once
     between other blocks, and an out-of-order core overlaps its dependency chains with theirs, so its price
     is llvm-mca's Block RThroughput (resources only); repeating it would chain its last result into its first
     instruction and price the latency instead. In-order cores (A55) overlap nothing: always the steady state.
  3. Sum of cycles x executions, the cold 1% priced at the hot blocks' mean cycles per instruction, divided
     by the row's iteration count (Google Benchmark's, fixed to 1 by a tiny --benchmark_min_time).
Limits: llvm-mca models no caches, front end or branch prediction; memory-bound code is underestimated.
"""
import argparse
import bisect
import functools
import json
import os
import re
import struct
import subprocess
import sys
from dataclasses import dataclass, field

HOT_COVERAGE = 0.99


@dataclass
class Core:
    """A core model: how to run the code (qemu CPU) and how to price it (llvm-mca)."""
    label: str
    qemu_cpu: str
    mca_args: list
    ghz: float
    in_order: bool = False


ARM_CORES = {
    # LLVM 19 maps cortex-a76 to the Cortex-A57 model; Neoverse N1 is the A76's server twin with its own
    # model, whose issue width of 8 is optimistic, hence -dispatch=4.
    "a76": Core("a76 (neoverse-n1 model)", "max", ["-mcpu=neoverse-n1", "-dispatch=4", "-mattr=+dotprod"], 2.4),
    # qemu's cortex-a72 has no dot product, so the plain-NEON int8 kernel runs, as on a Raspberry Pi 4.
    "a72": Core("a72", "cortex-a72", ["-mcpu=cortex-a72"], 1.8),
    "a55": Core("a55", "max", ["-mcpu=cortex-a55", "-mattr=+dotprod"], 2.0, in_order=True),
}

TARGETS = {
    # arch: (qemu program, llvm triple, assembler comment, extra qemu arguments)
    "aarch64": ("qemu-aarch64", "aarch64", "//", ["-L", "/usr/aarch64-linux-gnu"]),
    "x86_64": ("qemu-x86_64", "x86_64", "#", []),
}


def run(cmd, **kwargs):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kwargs).stdout


def lowest_exec_segment(path):
    """Link-time address of the lowest executable PT_LOAD segment of a 64-bit little-endian ELF file."""
    with open(path, "rb") as f:
        data = f.read(65536)
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    addrs = []
    for i in range(phnum):
        p_type, p_flags, _, p_vaddr = struct.unpack_from("<IIQQ", data, phoff + i * phentsize)
        if p_type == 1 and p_flags & 1:
            addrs.append(p_vaddr)
    return min(addrs)


def plt_address(bench, symbol):
    """Address of SYMBOL's PLT stub: the timed loop's markers, called from the benchmark code."""
    for line in run(["llvm-objdump-19", "-d", "--section=.plt", bench]).splitlines():
        m = re.match(r"([0-9a-f]+) <" + re.escape(symbol) + r"@plt>:", line)
        if m:
            return m.group(1)
    sys.exit(f"estimate: no PLT stub for {symbol} in {bench} (is it linked against libbenchmark.so?)")


def posix_escape(text):
    """Google Benchmark filters are POSIX extended regexes, where re.escape's "\\-" is an error."""
    return re.sub(r"([.^$*+?()\[\]{}|\\])", r"\\\1", text)


def list_rows(qemu_cmd, bench, pattern):
    rows = run(qemu_cmd + [bench, "--benchmark_list_tests", f"--benchmark_filter={pattern}"]).split()
    # Multi-threaded rows would need per-thread counting; the per-core estimate is single-threaded.
    return [r for r in rows if "threads:" not in r or "threads:1" in r]


@dataclass
class Profile:
    iterations: int
    blocks: dict = field(default_factory=dict)  # instruction bytes -> [executions, instruction count]
    addresses: dict = field(default_factory=dict)  # instruction bytes -> link-time address in the program


def profile_row(qemu_cmd, bench, row, plugin, markers, out_dir, env):
    counts = os.path.join(out_dir, re.sub(r"[^A-Za-z0-9]+", "_", row) + ".counts")
    plugin_arg = f"{plugin},out={counts},start={markers[0]},stop={markers[1]},text={markers[2]:x}"
    output = run(qemu_cmd[:1] + ["-plugin", plugin_arg] + qemu_cmd[1:] +
                 [bench, f"--benchmark_filter=^{posix_escape(row)}$", "--benchmark_min_time=1e-9",
                  "--benchmark_format=json"], env=env)
    iterations = sum(b["iterations"] for b in json.loads(output)["benchmarks"])
    profile = Profile(iterations)
    with open(counts) as f:
        windows = int(f.readline().split()[1])
        for line in f:
            _, address, executions, n_insns, code = line.split()
            # Blocks translated twice (same bytes) are one block for pricing.
            entry = profile.blocks.setdefault(code, [0, int(n_insns)])
            entry[0] += int(executions)
            profile.addresses.setdefault(code, int(address, 16))
    if windows != 1 or iterations < 1:
        sys.exit(f"estimate: {row}: {windows} timed loops, {iterations} iterations (expected one loop)")
    return profile


def hot_blocks(profile):
    by_insns = sorted(profile.blocks.items(), key=lambda kv: -kv[1][0] * kv[1][1])
    total = sum(e * n for _, (e, n) in by_insns)
    hot, covered = [], 0
    for code, (executions, n_insns) in by_insns:
        if covered >= HOT_COVERAGE * total:
            break
        hot.append((code, executions, n_insns))
        covered += executions * n_insns
    return hot, total


@functools.lru_cache(maxsize=None)
def disassemble(code, n_insns, triple):
    text = " ".join(f"0x{b:02x}" for b in bytes.fromhex(code))
    # AArch64 features (dot product, ...) must be enabled to be decoded; x86 decodes everything by default.
    features = ["-mattr=+all"] if triple == "aarch64" else []
    lines = [l.strip() for l in run(["llvm-mc-19", "--disassemble", f"-triple={triple}", *features],
                                    input=text).splitlines()]
    insns = [l for l in lines if l and not l.startswith(".")]
    if len(insns) != n_insns:
        sys.exit(f"estimate: llvm-mc gave {len(insns)} instructions for a block of {n_insns}")
    return insns


def price_lines(insns, comment):
    """Instructions for llvm-mca, and those left out: x86 string instructions (qemu runs a `rep` block once per
    element, and llvm-mca prices each pass like a whole microcoded string operation) and vzeroupper (free in
    practice, overpriced by the models)."""
    kept = []
    for insn in insns:
        insn = insn.split(comment)[0].strip()  # llvm-mc's trailing comments, e.g. "// =0x1010101"
        if re.match(r"(rep|vzeroupper)", insn):
            continue
        kept.append(insn)
    return kept


def branch_back(insns, n_bytes, triple):
    """How many bytes before the block's first byte its last instruction branches to (0: its own start), or None
    if it ends in no backward branch. llvm-mc prints the branch offset relative to the branch (AArch64) or to
    the end of the block (x86)."""
    m = re.search(r"#(-?\d+)$" if triple == "aarch64" else r"^j\w+\s+(-?\d+)$", insns[-1])
    if not m:
        return None
    before_start = -int(m.group(1)) - (n_bytes - 4 if triple == "aarch64" else n_bytes)
    return before_start if before_start >= 0 else None


def is_self_loop(insns, n_bytes, triple):
    """Whether the block's last instruction branches back to the block's first byte."""
    return branch_back(insns, n_bytes, triple) == 0


def rejoin_split_loops(profile, triple):
    """qemu ends a translation block at a page boundary, so a loop that crosses one arrives as two blocks, neither
    branching to its own start: priced apart, each half would get its resource throughput only and the loop's
    steady state would be lost. Where a hot block's last instruction branches back to the start of a run of
    blocks that end where it begins, the run and the block are joined into one loop block, executed as often
    as the least executed of them (the back edges); what they run beyond that (a first pass entered in the
    middle) stays with the blocks themselves."""
    hot, _ = hot_blocks(profile)
    ends = {}
    for code in profile.blocks:
        ends.setdefault(profile.addresses[code] + len(code) // 2, []).append(code)
    blocks = {code: list(entry) for code, entry in profile.blocks.items()}
    addresses = dict(profile.addresses)
    for code, _, n_insns in hot:
        if code not in blocks:
            continue
        back = branch_back(disassemble(code, n_insns, triple), len(code) // 2, triple)
        if not back:
            continue
        target, at, chain = profile.addresses[code] - back, profile.addresses[code], []
        while at > target:
            before = [c for c in ends.get(at, []) if c in blocks and profile.addresses[c] >= target]
            if len(before) != 1:
                break
            chain.insert(0, before[0])
            at = profile.addresses[before[0]]
        if at != target or not chain:
            continue
        parts = chain + [code]
        loops = min(blocks[c][0] for c in parts)
        joined = "".join(parts)
        blocks[joined] = [loops, sum(blocks[c][1] for c in parts)]
        addresses[joined] = target
        for c in parts:
            blocks[c][0] -= loops
            if blocks[c][0] == 0:
                del blocks[c]
    return Profile(profile.iterations, blocks, addresses)


def mca_cycles(blocks, triple, mca_args):
    """(steady-state cycles per repetition, Block RThroughput) of each block (list of instruction lists), in
    one llvm-mca run with a region per block. Lines llvm-mca cannot parse (rare system instructions) are
    dropped and the run repeated."""
    source = []
    for i, insns in enumerate(blocks):
        # Region markers start with "#" on every target: llvm-mca ignores them after AArch64's "//".
        source += [f"# LLVM-MCA-BEGIN b{i}"] + insns + [f"# LLVM-MCA-END b{i}"]
    for _ in range(20):
        proc = subprocess.run(["llvm-mca-19", f"-mtriple={triple}", "-iterations=100", *mca_args],
                              input="\n".join(source) + "\n", capture_output=True, text=True)
        if proc.returncode == 0:
            break
        bad = {int(m) - 1 for m in re.findall(r"<stdin>:(\d+):\d+: error", proc.stderr)}
        if not bad:
            sys.exit(f"estimate: llvm-mca failed: {proc.stderr[:2000]}")
        source = [l for i, l in enumerate(source) if i not in bad]
    cycles = [(0.0, 0.0)] * len(blocks)
    region = 0  # llvm-mca prints no region header when there is one region
    iterations = None
    for line in proc.stdout.splitlines():
        m = re.match(r"\[\d+\] Code Region - b(\d+)", line)
        if m:
            region = int(m.group(1))
        elif line.startswith("Iterations:"):
            iterations = int(line.split()[1])
        elif line.startswith("Total Cycles:"):
            steady = int(line.split()[2]) / iterations
        elif line.startswith("Block RThroughput:"):
            cycles[region] = (steady, float(line.split()[2]))
    return cycles


class Pricer:
    """Caches disassembly and llvm-mca prices by block bytes, across rows."""

    def __init__(self, triple, comment):
        self.triple, self.comment = triple, comment
        self.insns = {}
        self.loops = {}  # code -> whether the block is a loop by itself
        self.cycles = {}  # (mca args, code) -> (steady-state cycles, Block RThroughput)

    def price(self, hot, mca_args, in_order):
        key = " ".join(mca_args)
        new = [(code, n) for code, _, n in hot if (key, code) not in self.cycles]
        for code, n in new:
            if code not in self.insns:
                insns = disassemble(code, n, self.triple)
                self.loops[code] = is_self_loop(insns, len(code) // 2, self.triple)
                self.insns[code] = price_lines(insns, self.comment)
        todo = [code for code, _ in new if self.insns[code]]
        if todo:
            for code, c in zip(todo, mca_cycles([self.insns[c] for c in todo], self.triple, mca_args)):
                self.cycles[(key, code)] = c
        for code, _ in new:
            self.cycles.setdefault((key, code), (0.0, 0.0))
        return [self.cycles[(key, code)][0 if in_order or self.loops[code] else 1] for code, _, _ in hot]


def estimate_cycles(profile, pricer, core, functions=None):
    """Estimated cycles per iteration; with FUNCTIONS (a Functions), also the hot cycles per function."""
    profile = rejoin_split_loops(profile, pricer.triple)
    hot, total_insns = hot_blocks(profile)
    cycles = pricer.price(hot, core.mca_args, core.in_order)
    hot_cycles = sum(c * e for c, (_, e, _) in zip(cycles, hot))
    hot_insns = sum(e * n for _, e, n in hot)
    by_function = {}
    if functions:
        for c, (code, e, _) in zip(cycles, hot):
            name = functions.name(profile.addresses[code])
            by_function[name] = by_function.get(name, 0.0) + c * e / profile.iterations
    return hot_cycles * total_insns / hot_insns / profile.iterations, by_function


def without_parameters(name):
    """A demangled function name without its parameter list (the last balanced parentheses) and qualifiers."""
    end = name.rfind(")")
    depth = 0
    for i in range(end, -1, -1):
        depth += {")": 1, "(": -1}.get(name[i], 0)
        if depth == 0:
            return name[:i].replace("(anonymous namespace)::", "")
    return name


class Functions:
    """Function names of a program's link-time addresses (blocks in shared libraries fall outside)."""

    def __init__(self, program):
        self.starts, self.names, self.ends = [], [], []
        for line in run(["llvm-nm-19", "--defined-only", "--demangle", "-S", "-n", program]).splitlines():
            parts = line.split(maxsplit=3)
            if len(parts) == 4 and parts[2] in "tTwW":
                self.starts.append(int(parts[0], 16))
                self.ends.append(int(parts[0], 16) + int(parts[1], 16))
                self.names.append(without_parameters(parts[3]))

    def name(self, address):
        i = bisect.bisect_right(self.starts, address) - 1
        if i >= 0 and address < self.ends[i]:
            return self.names[i]
        return "(shared libraries)"


def pair_key(row):
    """(implementation, what it computes): conv/<impl>/<shape>, dwconv/<impl>/<shape>, net/<net>/<impl>/..."""
    parts = row.split("/")
    if parts[0] == "net" and len(parts) > 2:
        return parts[2], "/".join(parts[:2] + parts[3:])
    if len(parts) > 2:
        return parts[1], "/".join(parts[:1] + parts[2:])
    return None, row


def speedups(times):
    """For each binary row, how many times faster it is than each other implementation of the same work."""
    by_work = {}
    for row, t in times.items():
        impl, work = pair_key(row)
        by_work.setdefault(work, {})[impl] = t
    out = {}
    for work, impls in by_work.items():
        if "binary" in impls:
            out[work] = {impl: t / impls["binary"] for impl, t in impls.items() if impl != "binary"}
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--arch", choices=TARGETS, default="aarch64")
    ap.add_argument("--bench", required=True, help="the xnor-bench binary to profile")
    ap.add_argument("--plugin", required=True, help="block_counts.so")
    ap.add_argument("--work", required=True, help="folder for the per-row block counts")
    ap.add_argument("--cores", default="a76,a72,a55", help="aarch64 core models: " + ",".join(ARM_CORES))
    ap.add_argument("--x86-mcpu", default="native", help="llvm-mca model of this host for --arch x86_64")
    ap.add_argument("--x86-ghz", type=float, help="this host's clock under load, for --arch x86_64")
    ap.add_argument("--native-min-time", default="0.5", help="--benchmark_min_time of the native x86 runs")
    ap.add_argument("--json", help="write the estimates here")
    ap.add_argument("--functions", type=int, default=0, help="print each row's N costliest functions")
    ap.add_argument("filter", nargs="?", default="^conv/")
    args = ap.parse_args()

    qemu, triple, comment, qemu_args = TARGETS[args.arch]
    if args.arch == "aarch64":
        cores = [ARM_CORES[c] for c in args.cores.split(",")]
        env = dict(os.environ)
    else:
        if not args.x86_ghz:
            sys.exit("estimate: --arch x86_64 needs --x86-ghz")
        # qemu-x86_64 runs AVX2 but not AVX-512, so the AVX2 path is both profiled and measured; oneDNN is
        # capped to it as well. XNNPACK has no such switch: its native rows use AVX-512, so leave them out.
        cores = [Core(f"x86 ({args.x86_mcpu} model)", "Haswell", [f"-mcpu={args.x86_mcpu}"], args.x86_ghz)]
        env = dict(os.environ, XNOR_PATH="avx2", ONEDNN_MAX_CPU_ISA="AVX2")
    markers = (plt_address(args.bench, "_ZN9benchmark5State16StartKeepRunningEv"),
               plt_address(args.bench, "_ZN9benchmark5State17FinishKeepRunningEv"),
               lowest_exec_segment(args.bench))
    os.makedirs(args.work, exist_ok=True)
    pricer = Pricer(triple, comment)
    functions = Functions(args.bench) if args.functions else None
    rows = list_rows([qemu, "-cpu", "max"] + qemu_args, args.bench, args.filter)
    if not rows:
        sys.exit(f"estimate: no rows match {args.filter}")

    results = {}  # core label -> row -> {cycles, us}
    profiles = {}  # qemu cpu -> row -> Profile (cores on the same qemu CPU share one run)
    for core in cores:
        results[core.label] = {}
        for row in rows:
            runs = profiles.setdefault(core.qemu_cpu, {})
            if row not in runs:
                runs[row] = profile_row([qemu, "-cpu", core.qemu_cpu] + qemu_args, args.bench, row,
                                        args.plugin, markers, args.work, env)
            cycles, by_function = estimate_cycles(runs[row], pricer, core, functions)
            results[core.label][row] = {"cycles": cycles, "us": cycles / core.ghz / 1e3}
            if by_function:
                top = sorted(by_function.items(), key=lambda kv: -kv[1])[:args.functions]
                results[core.label][row]["functions"] = {name: c for name, c in top}

    report = {"cores": {c.label: {"mca_args": c.mca_args, "qemu_cpu": c.qemu_cpu, "ghz": c.ghz} for c in cores},
              "estimates": results,
              "binary_speedup": {label: speedups({r: v["us"] for r, v in rows_.items()})
                                 for label, rows_ in results.items()}}
    for core in cores:
        print(f"\n{core.label} at {core.ghz} GHz (llvm-mca {' '.join(core.mca_args)}, qemu -cpu {core.qemu_cpu})")
        print(f"  {'row':45s} {'cycles':>14s} {'us':>10s}")
        for row, v in results[core.label].items():
            print(f"  {row:45s} {v['cycles']:14.0f} {v['us']:10.1f}")
            for name, c in v.get("functions", {}).items():
                print(f"      {100 * c / v['cycles']:5.1f}%  {name[:120]}")
        for work, ratios in report["binary_speedup"][core.label].items():
            print(f"  binary speedup on {work}: " + ", ".join(f"vs {i} {r:.2f}x" for i, r in sorted(ratios.items())))

    if args.arch == "x86_64":
        report["native"] = x86_check(args, rows, results[cores[0].label], env)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=2)


def x86_check(args, rows, estimates, env):
    """Measures the same rows natively (real time) and prints the estimate's error per row and per ratio."""
    pattern = "^(" + "|".join(posix_escape(r) for r in rows) + ")$"
    output = run([args.bench, f"--benchmark_filter={pattern}", f"--benchmark_min_time={args.native_min_time}",
                  "--benchmark_format=json"], env=env)
    measured = {b["name"]: b["real_time"] * {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}[b["time_unit"]]
                for b in json.loads(output)["benchmarks"]}
    print(f"\nx86 check: estimate at {args.x86_ghz} GHz vs native real time (XNOR_PATH=avx2)")
    print(f"  {'row':45s} {'estimated us':>13s} {'measured us':>12s} {'error':>8s}")
    check = {"rows": {}, "binary_speedup": {}}
    for row in rows:
        est, meas = estimates[row]["us"], measured[row]
        check["rows"][row] = {"estimated_us": est, "measured_us": meas, "error": est / meas - 1}
        print(f"  {row:45s} {est:13.1f} {meas:12.1f} {100 * (est / meas - 1):+7.1f}%")
    est_speedup = speedups({r: v["us"] for r, v in estimates.items()})
    for work, ratios in speedups(measured).items():
        for impl, meas in sorted(ratios.items()):
            est = est_speedup[work][impl]
            check["binary_speedup"][f"{work} vs {impl}"] = {"estimated": est, "measured": meas,
                                                            "error": est / meas - 1}
            print(f"  binary speedup on {work} vs {impl}: estimated {est:.2f}x, measured {meas:.2f}x "
                  f"({100 * (est / meas - 1):+.1f}%)")
    return check


if __name__ == "__main__":
    main()
