/*===- lowbit_runtime.c - the C API of every CPU artifact ----------*- C -*-===*\
|*                                                                            *|
|* Implements lowbit_runtime.h on top of the compiled model's descriptor     *|
|* (ModelDescriptor.h). Owns one 64-byte aligned buffer per input and        *|
|* output; run() passes them to the generated entry. Threads come from the   *|
|* OpenMP runtime (libomp) that the generated parallel loops call into.      *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#include "lib/Runtime/ModelDescriptor.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOWBIT_API __attribute__((visibility("default")))
#define LOWBIT_HIDDEN __attribute__((visibility("hidden")))

/* Emitted by the compiler into the model object. */
extern const lowbit_model_desc lowbit_model_descriptor LOWBIT_HIDDEN;

/* From libomp; the generated code's parallel regions use these settings. */
extern void omp_set_num_threads(int num_threads);
extern int omp_get_num_procs(void);

enum { kBufferAlignment = 64, kErrorCapacity = 512 };

static void release_block_cache(void);

struct lowbit_model {
  const lowbit_model_desc *desc;
  void **buffers; /* inputs, then outputs */
  unsigned char *inputs_set;
  int num_threads; /* 0: all cores */
  char *last_error; /* kErrorCapacity bytes; a pointer so const models can
                       report errors too */
};

static int fail(const lowbit_model *model, const char *format, ...) {
  va_list args;
  va_start(args, format);
  vsnprintf(model->last_error, kErrorCapacity, format, args);
  va_end(args);
  return 1;
}

static size_t num_buffers(const lowbit_model_desc *desc) {
  return (size_t)desc->num_inputs + desc->num_outputs;
}

static const lowbit_tensor_info *buffer_info(const lowbit_model_desc *desc,
                                             size_t index) {
  return index < desc->num_inputs ? &desc->inputs[index]
                                  : &desc->outputs[index - desc->num_inputs];
}

LOWBIT_API int lowbit_abi_version(void) { return LOWBIT_RUNTIME_ABI_VERSION; }

LOWBIT_API lowbit_model *lowbit_model_create(void) {
  const lowbit_model_desc *desc = &lowbit_model_descriptor;
  if (desc->version != LOWBIT_MODEL_DESCRIPTOR_VERSION)
    return NULL;
  lowbit_model *model = (lowbit_model *)calloc(1, sizeof(lowbit_model));
  if (!model)
    return NULL;
  model->desc = desc;
  size_t count = num_buffers(desc);
  model->buffers = (void **)calloc(count ? count : 1, sizeof(void *));
  model->inputs_set =
      (unsigned char *)calloc(desc->num_inputs ? desc->num_inputs : 1, 1);
  model->last_error = (char *)calloc(kErrorCapacity, 1);
  if (!model->buffers || !model->inputs_set || !model->last_error) {
    lowbit_model_destroy(model);
    return NULL;
  }
  for (size_t i = 0; i < count; ++i) {
    size_t bytes = buffer_info(desc, i)->num_bytes;
    /* aligned_alloc needs a multiple of the alignment, and never 0. */
    size_t rounded =
        (bytes + kBufferAlignment - 1) / kBufferAlignment * kBufferAlignment;
    model->buffers[i] =
        aligned_alloc(kBufferAlignment, rounded ? rounded : kBufferAlignment);
    if (!model->buffers[i]) {
      lowbit_model_destroy(model);
      return NULL;
    }
    memset(model->buffers[i], 0, rounded ? rounded : kBufferAlignment);
  }
  return model;
}

LOWBIT_API void lowbit_model_destroy(lowbit_model *model) {
  if (!model)
    return;
  if (model->buffers)
    for (size_t i = 0, e = num_buffers(model->desc); i < e; ++i)
      free(model->buffers[i]);
  free(model->buffers);
  free(model->inputs_set);
  free(model->last_error);
  free(model);
  release_block_cache();
}

LOWBIT_API int lowbit_model_set_num_threads(lowbit_model *model,
                                            int num_threads) {
  if (!model)
    return 1;
  if (num_threads < 0)
    return fail(model, "num_threads must be >= 0 (0 = all cores), got %d",
                num_threads);
  model->num_threads = num_threads;
  model->last_error[0] = '\0';
  return 0;
}

LOWBIT_API int lowbit_model_num_inputs(const lowbit_model *model) {
  return model ? (int)model->desc->num_inputs : 0;
}

LOWBIT_API int lowbit_model_num_outputs(const lowbit_model *model) {
  return model ? (int)model->desc->num_outputs : 0;
}

LOWBIT_API const lowbit_tensor_info *
lowbit_model_input_info(const lowbit_model *model, int index) {
  if (!model || index < 0 || (unsigned)index >= model->desc->num_inputs)
    return NULL;
  return &model->desc->inputs[index];
}

LOWBIT_API const lowbit_tensor_info *
lowbit_model_output_info(const lowbit_model *model, int index) {
  if (!model || index < 0 || (unsigned)index >= model->desc->num_outputs)
    return NULL;
  return &model->desc->outputs[index];
}

static int find_tensor(const lowbit_tensor_info *infos, uint32_t count,
                       const char *name) {
  for (uint32_t i = 0; i < count; ++i)
    if (strcmp(infos[i].name, name) == 0)
      return (int)i;
  return -1;
}

LOWBIT_API int lowbit_model_set_input(lowbit_model *model, const char *name,
                                      const void *data, size_t num_bytes) {
  if (!model)
    return 1;
  if (!name || !data)
    return fail(model, "set_input: name and data must not be NULL");
  const lowbit_model_desc *desc = model->desc;
  int index = find_tensor(desc->inputs, desc->num_inputs, name);
  if (index < 0)
    return fail(model, "set_input: the model has no input named '%s'", name);
  const lowbit_tensor_info *info = &desc->inputs[index];
  if (num_bytes != info->num_bytes)
    return fail(model,
                "set_input: input '%s' takes %zu bytes, got %zu", name,
                info->num_bytes, num_bytes);
  memcpy(model->buffers[index], data, num_bytes);
  model->inputs_set[index] = 1;
  model->last_error[0] = '\0';
  return 0;
}

LOWBIT_API int lowbit_model_run(lowbit_model *model) {
  if (!model)
    return 1;
  const lowbit_model_desc *desc = model->desc;
  for (uint32_t i = 0; i < desc->num_inputs; ++i)
    if (!model->inputs_set[i])
      return fail(model, "run: input '%s' was not set", desc->inputs[i].name);
  omp_set_num_threads(model->num_threads > 0 ? model->num_threads
                                             : omp_get_num_procs());
  desc->entry(model->buffers);
  model->last_error[0] = '\0';
  return 0;
}

LOWBIT_API int lowbit_model_get_output(const lowbit_model *model,
                                       const char *name, const void **data,
                                       size_t *num_bytes) {
  if (!model)
    return 1;
  if (!name || !data || !num_bytes)
    return fail(model, "get_output: name, data and num_bytes must not be NULL");
  const lowbit_model_desc *desc = model->desc;
  int index = find_tensor(desc->outputs, desc->num_outputs, name);
  if (index < 0)
    return fail(model, "get_output: the model has no output named '%s'", name);
  *data = model->buffers[desc->num_inputs + (uint32_t)index];
  *num_bytes = desc->outputs[index].num_bytes;
  return 0;
}

LOWBIT_API const char *lowbit_model_last_error(const lowbit_model *model) {
  return model ? model->last_error : "model is NULL";
}

/*===- Buffers of the generated code ---------------------------------------===*/
/* The compiled model allocates its intermediate tensors with these (the   */
/* pipeline lowers memref.alloc to MLIR's generic allocation functions).   */
/* Every run frees what it allocates and the next run asks for the same    */
/* sizes again; malloc would hand big blocks back to the OS and page-fault */
/* them in again on every run. Freed blocks are kept for reuse instead.     */

#include <pthread.h>

enum { kBlockCacheCapacity = 512, kBlockHeader = 64 };
struct cached_block {
  void *base;
  size_t size;
};
static struct cached_block block_cache[kBlockCacheCapacity];
static int block_cache_count;
static pthread_mutex_t block_cache_lock = PTHREAD_MUTEX_INITIALIZER;

/* A block is a 64-byte header and the payload. The header, right before
   the payload, holds the payload size (SIZE_MAX: never cached) and the
   pointer that malloc returned. */
struct block_header {
  size_t size;
  void *base;
};

static void *payload_of(void *base, size_t offset, size_t size) {
  char *payload = (char *)base + offset;
  struct block_header *header =
      (struct block_header *)(payload - kBlockHeader);
  header->size = size;
  header->base = base;
  return payload;
}

static size_t round_up(size_t size, size_t alignment) {
  return (size + alignment - 1) / alignment * alignment;
}

static void *block_alloc(size_t size) {
  pthread_mutex_lock(&block_cache_lock);
  for (int i = block_cache_count - 1; i >= 0; --i) {
    if (block_cache[i].size != size)
      continue;
    void *base = block_cache[i].base;
    block_cache[i] = block_cache[--block_cache_count];
    pthread_mutex_unlock(&block_cache_lock);
    return (char *)base + kBlockHeader;
  }
  pthread_mutex_unlock(&block_cache_lock);
  void *base =
      aligned_alloc(kBlockHeader, kBlockHeader + round_up(size, kBlockHeader));
  return base ? payload_of(base, kBlockHeader, size) : NULL;
}

LOWBIT_HIDDEN void *_mlir_memref_to_llvm_alloc(size_t size) {
  return block_alloc(size);
}

LOWBIT_HIDDEN void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment,
                                                       size_t size) {
  if (alignment <= kBlockHeader)
    return block_alloc(size);
  /* Over-aligned: the header fits in the alignment padding; not cached. */
  void *base = aligned_alloc(alignment, alignment + round_up(size, alignment));
  return base ? payload_of(base, alignment, (size_t)-1) : NULL;
}

LOWBIT_HIDDEN void _mlir_memref_to_llvm_free(void *ptr) {
  if (!ptr)
    return;
  struct block_header *header =
      (struct block_header *)((char *)ptr - kBlockHeader);
  void *base = header->base;
  size_t size = header->size;
  if (size != (size_t)-1) {
    pthread_mutex_lock(&block_cache_lock);
    if (block_cache_count < kBlockCacheCapacity) {
      block_cache[block_cache_count].base = base;
      block_cache[block_cache_count].size = size;
      ++block_cache_count;
      base = NULL;
    }
    pthread_mutex_unlock(&block_cache_lock);
  }
  free(base);
}

/* Returns the cached blocks to malloc (when a model is destroyed). */
static void release_block_cache(void) {
  pthread_mutex_lock(&block_cache_lock);
  for (int i = 0; i < block_cache_count; ++i)
    free(block_cache[i].base);
  block_cache_count = 0;
  pthread_mutex_unlock(&block_cache_lock);
}

/*===- Per-op timers (lowbit-cpu-profile-ops, developer tool) --------------===*/

#include <time.h>

enum { kProfileCapacity = 8192 };
static double profile_seconds[kProfileCapacity];
static long profile_calls[kProfileCapacity];
static double profile_last;
static int profile_registered;

static double profile_now(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)now.tv_sec + 1e-9 * (double)now.tv_nsec;
}

static void profile_report(void) {
  for (int id = 0; id < kProfileCapacity; ++id)
    if (profile_calls[id])
      fprintf(stderr, "lowbit-profile-time %d %.6f %ld\n", id,
              profile_seconds[id] * 1e3, profile_calls[id]);
}

/* Called by models compiled with lowbit-cpu-profile-ops: id -1 starts a run,
   any other id adds the time since the previous tick to op `id`. */
LOWBIT_HIDDEN void lowbit_profile_tick(long long id) {
  double now = profile_now();
  if (!profile_registered) {
    profile_registered = 1;
    atexit(profile_report);
  }
  if (id >= 0 && id < kProfileCapacity) {
    profile_seconds[id] += now - profile_last;
    ++profile_calls[id];
  }
  profile_last = now;
}
