#!/usr/bin/env bash
# Draws the JSON of `xnor compare --json` (read from standard input) as bar charts in a PNG: accuracy, file
# size, median latency on 1 thread and images/s on every thread, one bar per model. `xnor compare --plot
# OUT.png` runs it; by hand:
#   build/xnor compare --json | tools/plot-compare.sh compare.png
# Needs gnuplot (Debian: gnuplot-nox, in tools/setup.sh train) and awk; uses the pngcairo terminal, or png
# where gnuplot has no cairo.
set -euo pipefail

if [[ $# -ne 1 || $1 == -h || $1 == --help ]]; then
  echo "usage: xnor compare --json | $0 OUT.png" >&2
  exit 2
fi
out=$1
if ! command -v gnuplot >/dev/null 2>&1; then
  echo "plot-compare.sh: gnuplot is not installed (Debian: apt-get install gnuplot-nox)" >&2
  exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/plot-compare.XXXXXX")
trap 'rm -rf "$work"' EXIT

# A small JSON scanner (any layout, escaped strings): the top-level fields and one tab-separated row per
# object of "models": name, precision, accuracy %, file KB, size ratio, ms/image, images/s, peak RSS MB.
# Names lose their folder, ".xnm", and a prefix every name shares (it goes into the title).
awk -v rows="$work/rows.tsv" -v info="$work/info.txt" '
  { text = text $0 "\n" }
  function value(k) { return (k in model) && model[k] != "null" ? model[k] : "NaN" }
  function scaled(k, factor) { return value(k) == "NaN" ? "NaN" : value(k) * factor }
  END {
    n = length(text); i = 1; nt = 0
    while (i <= n) {
      c = substr(text, i, 1)
      if (c == " " || c == "\t" || c == "\n" || c == "\r") { i++; continue }
      if (c == "\"") {
        s = ""; i++
        while (i <= n) {
          c = substr(text, i, 1)
          if (c == "\\") {
            d = substr(text, i + 1, 1)
            if (d == "u") { s = s "?"; i += 6; continue }
            s = s (d == "n" || d == "t" || d == "r" ? " " : d); i += 2; continue
          }
          i++
          if (c == "\"") break
          s = s c
        }
        nt++; tok[nt] = s; str[nt] = 1; continue
      }
      if (index("{}[]:,", c)) { nt++; tok[nt] = c; str[nt] = 0; i++; continue }
      s = ""
      while (i <= n && index("{}[]:, \t\r\n\"", substr(text, i, 1)) == 0) { s = s substr(text, i, 1); i++ }
      nt++; tok[nt] = s; str[nt] = 0
    }
    depth = 0; key = ""; m = 0
    for (t = 1; t <= nt; t++) {
      if (!str[t] && (tok[t] == "{" || tok[t] == "[")) {
        depth++
        if (tok[t] == "{" && depth == 3 && key == "models") { m++; delete model }
        continue
      }
      if (!str[t] && (tok[t] == "}" || tok[t] == "]")) {
        if (tok[t] == "}" && depth == 3 && key == "models") {
          name[m] = value("model"); sub(/.*\//, "", name[m]); sub(/\.xnm$/, "", name[m])
          row[m] = value("precision") "\t" scaled("accuracy", 100) "\t" scaled("file_bytes", 0.001) "\t" value("size_ratio") \
                   "\t" value("median_latency_ms") "\t" value("images_per_second") "\t" scaled("peak_rss_kb", 0.001024)
        }
        depth--
        continue
      }
      if (str[t] && tok[t + 1] == ":" && !str[t + 1]) {
        if (depth == 1) key = tok[t]
        if (!str[t + 2] && index("{[", tok[t + 2])) { t++; continue }
        if (depth == 1) top[tok[t]] = tok[t + 2]
        if (depth == 3 && key == "models") model[tok[t]] = tok[t + 2]
        t += 2
      }
    }
    # The prefix all names share, up to its last "-" or "_", if every name keeps something after it.
    prefix = name[1]
    for (k = 2; k <= m; k++) while (prefix != "" && index(name[k], prefix) != 1) prefix = substr(prefix, 1, length(prefix) - 1)
    while (prefix != "" && substr(prefix, length(prefix)) != "-" && substr(prefix, length(prefix)) != "_") prefix = substr(prefix, 1, length(prefix) - 1)
    if (m < 2) prefix = ""
    for (k = 1; k <= m; k++) print substr(name[k], length(prefix) + 1) "\t" row[k] > rows
    printf "%s%s, %s images, cpu path %s\n%s\n%d\n", (prefix == "" ? "" : prefix "*: "), top["dataset"], top["images"], top["cpu_path"], top["threads"], m > info
  }
'
models=$(sed -n 3p "$work/info.txt")
if [[ -z $models || $models -eq 0 ]]; then
  echo "plot-compare.sh: no models in the JSON on standard input (expected the output of xnor compare --json)" >&2
  exit 1
fi
title=$(sed -n 1p "$work/info.txt")
threads=$(sed -n 2p "$work/info.txt")

if gnuplot -e "set terminal pngcairo" >/dev/null 2>&1; then
  terminal="pngcairo noenhanced size 1200,900 font 'sans,10'"
else
  terminal="png noenhanced size 1200,900"
fi
quote() { printf "'%s'" "${1//\'/\'\'}"; }  # a gnuplot single-quoted string

if ! : 2>/dev/null >"$out"; then
  echo "plot-compare.sh: cannot write $out" >&2
  exit 1
fi
# From a file, gnuplot stops at the first error; its standard output is never the PNG.
cat >"$work/plot.gp" <<EOF
set terminal $terminal
set output $(quote "$out")
set datafile separator "\t"
set style fill solid 0.85 border -1
set boxwidth 0.6
set xrange [-0.6:$models - 0.4]
set grid ytics
set key off
set xtics nomirror
set ytics nomirror
set multiplot layout 2,2 title $(quote "xnor compare: $title")
set title "accuracy (%)"
set yrange [0:110]
set ytics 0,20,100
plot $(quote "$work/rows.tsv") using 0:3:(\$0 + 1):xtic(1) with boxes lc variable, \
     '' using 0:3:(sprintf("%.2f%%", \$3)) with labels offset 0,0.8
set title "file size (KB; ratio to the float model)"
set yrange [0:*]
set ytics autofreq
set offsets 0,0,graph 0.15,0
plot $(quote "$work/rows.tsv") using 0:4:(\$0 + 1):xtic(1) with boxes lc variable, \
     '' using 0:4:(sprintf("%.4g KB (%.3fx)", \$4, \$5)) with labels offset 0,0.8
set title "median latency (ms per image, 1 thread)"
plot $(quote "$work/rows.tsv") using 0:6:(\$0 + 1):xtic(1) with boxes lc variable, \
     '' using 0:6:(sprintf("%.3f ms", \$6)) with labels offset 0,0.8
set title "throughput (images/s, $threads threads)"
plot $(quote "$work/rows.tsv") using 0:7:(\$0 + 1):xtic(1) with boxes lc variable, \
     '' using 0:7:(sprintf("%.0f", \$7)) with labels offset 0,0.8
unset multiplot
EOF
if ! gnuplot "$work/plot.gp" >/dev/null || [[ ! -s $out ]]; then
  rm -f "$out"
  echo "plot-compare.sh: gnuplot could not draw $out" >&2
  exit 1
fi
