/*===- lowbit_runtime.h - C API of a compiled LowBit model -------*- C -*-===*\
|*                                                                            *|
|* Every artifact's shared library exports exactly this API. Tensors are     *|
|* addressed by their ONNX name, dense, row-major, in the dtype and shape    *|
|* the artifact was compiled for. Functions returning int give 0 on success  *|
|* and non-zero on error; lowbit_model_last_error() then says why.           *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef LOWBIT_RUNTIME_H
#define LOWBIT_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LOWBIT_RUNTIME_ABI_VERSION 1

/* Element types; the values are ONNX TensorProto.DataType codes. */
typedef enum lowbit_dtype {
  LOWBIT_DTYPE_FLOAT32 = 1,
  LOWBIT_DTYPE_UINT8 = 2,
  LOWBIT_DTYPE_INT8 = 3,
  LOWBIT_DTYPE_UINT16 = 4,
  LOWBIT_DTYPE_INT16 = 5,
  LOWBIT_DTYPE_INT32 = 6,
  LOWBIT_DTYPE_INT64 = 7,
  LOWBIT_DTYPE_BOOL = 9,
  LOWBIT_DTYPE_FLOAT16 = 10,
  LOWBIT_DTYPE_FLOAT64 = 11,
  LOWBIT_DTYPE_UINT32 = 12,
  LOWBIT_DTYPE_UINT64 = 13,
} lowbit_dtype;

/* Describes one input or output. Pointers stay valid for the model's life. */
typedef struct lowbit_tensor_info {
  const char *name;
  lowbit_dtype dtype;
  int32_t rank;
  const int64_t *shape;
  size_t num_bytes;
} lowbit_tensor_info;

typedef struct lowbit_model lowbit_model;

/* ABI version of the artifact; callers check it equals theirs. */
int lowbit_abi_version(void);

/* Creates an instance with its own input/output buffers; NULL on failure. */
lowbit_model *lowbit_model_create(void);
void lowbit_model_destroy(lowbit_model *model);

/* Threads used by run(); 0 means all cores. Default: all cores. */
int lowbit_model_set_num_threads(lowbit_model *model, int num_threads);

int lowbit_model_num_inputs(const lowbit_model *model);
int lowbit_model_num_outputs(const lowbit_model *model);
const lowbit_tensor_info *lowbit_model_input_info(const lowbit_model *model,
                                                  int index);
const lowbit_tensor_info *lowbit_model_output_info(const lowbit_model *model,
                                                   int index);

/* Copies `num_bytes` (must equal the input's num_bytes) from `data`. */
int lowbit_model_set_input(lowbit_model *model, const char *name,
                           const void *data, size_t num_bytes);

/* Runs inference on the inputs set so far (all inputs must be set). */
int lowbit_model_run(lowbit_model *model);

/* Points `*data` at the output buffer, valid until the next run/destroy. */
int lowbit_model_get_output(const lowbit_model *model, const char *name,
                            const void **data, size_t *num_bytes);

/* The last error message of this model, or "" (never NULL). */
const char *lowbit_model_last_error(const lowbit_model *model);

#ifdef __cplusplus
}
#endif

#endif /* LOWBIT_RUNTIME_H */
