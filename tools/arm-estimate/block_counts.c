/* block_counts: a qemu TCG plugin that counts how often each translation block runs inside Google
 * Benchmark's timed loops, and records the block's instruction bytes, for tools/arm-estimate.sh.
 *
 * Build: gcc -O2 -shared -fPIC -I<dir of qemu-plugin.h> -o block_counts.so block_counts.c
 * Use:   qemu-aarch64 -plugin ./block_counts.so,out=FILE,start=ADDR,stop=ADDR PROGRAM ...
 *   start / stop: link-time addresses (hex) of the PLT stubs of benchmark::State::StartKeepRunning and
 *   FinishKeepRunning in PROGRAM (a position-independent executable); the plugin adds the load bias, found
 *   from text=ADDR, the link-time address of PROGRAM's lowest executable segment, which qemu reports loaded
 *   at qemu_plugin_start_code() (its entry_code is the dynamic loader's). Only executions between a start and
 *   the next stop are counted, so the benchmark's setup (weights, packing) stays out of the estimate.
 * Output (text, at exit): "windows N", then per block that ran in a window:
 *   "block <link-time address hex> <executions> <instruction count> <bytes as hex>"; the address is PROGRAM's
 *   (meaningless for blocks in shared libraries).
 * Counting uses qemu's inline add (no call per block execution); the markers take a callback, and at each
 * marker every block's running count is read, which costs O(blocks) twice per timed loop only. */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

struct block {
  uint64_t vaddr;
  uint64_t executions; /* incremented inline by the translated code, windows or not */
  uint64_t at_start;   /* executions when the current window opened */
  uint64_t in_windows; /* executions inside closed windows */
  size_t n_insns;
  size_t n_bytes;
  unsigned char *bytes;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct block **blocks;
static size_t n_blocks, cap_blocks;
static uint64_t start_addr, stop_addr, link_text;
static int in_window;
static uint64_t windows;
static char *out_path;

static void open_window(unsigned int vcpu, void *udata) {
  (void)vcpu, (void)udata;
  pthread_mutex_lock(&lock);
  if (!in_window) {
    for (size_t i = 0; i < n_blocks; i++) blocks[i]->at_start = blocks[i]->executions;
    in_window = 1;
  }
  pthread_mutex_unlock(&lock);
}

static void close_window(unsigned int vcpu, void *udata) {
  (void)vcpu, (void)udata;
  pthread_mutex_lock(&lock);
  if (in_window) {
    for (size_t i = 0; i < n_blocks; i++) blocks[i]->in_windows += blocks[i]->executions - blocks[i]->at_start;
    in_window = 0;
    windows++;
  }
  pthread_mutex_unlock(&lock);
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
  (void)id;
  const uint64_t bias = qemu_plugin_start_code() - link_text;
  const uint64_t vaddr = qemu_plugin_tb_vaddr(tb);
  if (vaddr == start_addr + bias)
    qemu_plugin_register_vcpu_tb_exec_cb(tb, open_window, QEMU_PLUGIN_CB_NO_REGS, NULL);
  if (vaddr == stop_addr + bias)
    qemu_plugin_register_vcpu_tb_exec_cb(tb, close_window, QEMU_PLUGIN_CB_NO_REGS, NULL);

  struct block *b = calloc(1, sizeof *b);
  b->vaddr = vaddr;
  b->n_insns = qemu_plugin_tb_n_insns(tb);
  for (size_t i = 0; i < b->n_insns; i++) b->n_bytes += qemu_plugin_insn_size(qemu_plugin_tb_get_insn(tb, i));
  b->bytes = malloc(b->n_bytes);
  size_t at = 0;
  for (size_t i = 0; i < b->n_insns; i++) {
    const struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
    memcpy(b->bytes + at, qemu_plugin_insn_data(insn), qemu_plugin_insn_size(insn));
    at += qemu_plugin_insn_size(insn);
  }
  qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &b->executions, 1);

  pthread_mutex_lock(&lock);
  if (n_blocks == cap_blocks) {
    cap_blocks = cap_blocks ? 2 * cap_blocks : 4096;
    blocks = realloc(blocks, cap_blocks * sizeof *blocks);
  }
  /* A block translated inside an open window starts counting from zero, as at_start is zero. */
  blocks[n_blocks++] = b;
  pthread_mutex_unlock(&lock);
}

static void write_counts(qemu_plugin_id_t id, void *udata) {
  (void)id, (void)udata;
  FILE *out = fopen(out_path, "w");
  if (!out) {
    qemu_plugin_outs("block_counts: cannot write the output file\n");
    return;
  }
  const uint64_t bias = qemu_plugin_start_code() - link_text;
  fprintf(out, "windows %" PRIu64 "\n", windows);
  for (size_t i = 0; i < n_blocks; i++) {
    const struct block *b = blocks[i];
    if (b->in_windows == 0) continue;
    fprintf(out, "block %" PRIx64 " %" PRIu64 " %zu ", b->vaddr - bias, b->in_windows, b->n_insns);
    for (size_t j = 0; j < b->n_bytes; j++) fprintf(out, "%02x", b->bytes[j]);
    fputc('\n', out);
  }
  fclose(out);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv) {
  (void)info;
  for (int i = 0; i < argc; i++) {
    char *value = strchr(argv[i], '=');
    if (!value) continue;
    *value++ = '\0';
    if (!strcmp(argv[i], "out")) out_path = strdup(value);
    else if (!strcmp(argv[i], "start")) start_addr = strtoull(value, NULL, 16);
    else if (!strcmp(argv[i], "stop")) stop_addr = strtoull(value, NULL, 16);
    else if (!strcmp(argv[i], "text")) link_text = strtoull(value, NULL, 16);
  }
  if (!out_path || !start_addr || !stop_addr) { /* text may be 0 */
    fprintf(stderr, "block_counts: needs out=FILE,start=ADDR,stop=ADDR[,text=ADDR]\n");
    return -1;
  }
  qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
  qemu_plugin_register_atexit_cb(id, write_counts, NULL);
  return 0;
}
