/*===- toy-model.c - A hand-written artifact for quant-run tests ----------===*\
|*                                                                            *|
|* Implements lowbit_runtime.h the way a compiled artifact does, for a model *|
|* computing y = x + 1 on float32[2, 3] (with -DTOY_TWO_INPUTS: y = x + b,   *|
|* b float32[3] broadcast over rows). It lets quant-run's C-API side be      *|
|* tested without the compiler. -DTOY_ABI_VERSION=N fakes another ABI. A     *|
|* run fails when x[0] is -999, to test runtime errors.                      *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#include "lowbit/Runtime/lowbit_runtime.h"

#include <stdlib.h>
#include <string.h>

#ifndef TOY_ABI_VERSION
#define TOY_ABI_VERSION LOWBIT_RUNTIME_ABI_VERSION
#endif

#ifdef TOY_TWO_INPUTS
#define TOY_NUM_INPUTS 2
#else
#define TOY_NUM_INPUTS 1
#endif

static const int64_t kMatrixShape[2] = {2, 3};
static const int64_t kVectorShape[1] = {3};
static const lowbit_tensor_info kInputs[2] = {
    {"x", LOWBIT_DTYPE_FLOAT32, 2, kMatrixShape, 6 * sizeof(float)},
    {"b", LOWBIT_DTYPE_FLOAT32, 1, kVectorShape, 3 * sizeof(float)},
};
static const lowbit_tensor_info kOutput = {"y", LOWBIT_DTYPE_FLOAT32, 2,
                                           kMatrixShape, 6 * sizeof(float)};

struct lowbit_model {
  float x[6], b[3], y[6];
  int isSet[2];
  const char *error;
};

int lowbit_abi_version(void) { return TOY_ABI_VERSION; }

lowbit_model *lowbit_model_create(void) {
  lowbit_model *model = calloc(1, sizeof(lowbit_model));
  if (model)
    model->error = "";
  return model;
}

void lowbit_model_destroy(lowbit_model *model) { free(model); }

int lowbit_model_set_num_threads(lowbit_model *model, int num_threads) {
  if (num_threads < 0) {
    model->error = "negative thread count";
    return 1;
  }
  return 0;
}

int lowbit_model_num_inputs(const lowbit_model *model) {
  (void)model;
  return TOY_NUM_INPUTS;
}

int lowbit_model_num_outputs(const lowbit_model *model) {
  (void)model;
  return 1;
}

const lowbit_tensor_info *lowbit_model_input_info(const lowbit_model *model,
                                                  int index) {
  (void)model;
  return index >= 0 && index < TOY_NUM_INPUTS ? &kInputs[index] : NULL;
}

const lowbit_tensor_info *lowbit_model_output_info(const lowbit_model *model,
                                                   int index) {
  (void)model;
  return index == 0 ? &kOutput : NULL;
}

int lowbit_model_set_input(lowbit_model *model, const char *name,
                           const void *data, size_t num_bytes) {
  for (int i = 0; i < TOY_NUM_INPUTS; ++i) {
    if (strcmp(name, kInputs[i].name) != 0)
      continue;
    if (num_bytes != kInputs[i].num_bytes) {
      model->error = "wrong input size";
      return 1;
    }
    memcpy(i == 0 ? model->x : model->b, data, num_bytes);
    model->isSet[i] = 1;
    return 0;
  }
  model->error = "unknown input";
  return 1;
}

int lowbit_model_run(lowbit_model *model) {
  for (int i = 0; i < TOY_NUM_INPUTS; ++i) {
    if (!model->isSet[i]) {
      model->error = "input not set";
      return 1;
    }
  }
  if (model->x[0] == -999.0f) {
    model->error = "toy model: x[0] is -999";
    return 1;
  }
  for (int i = 0; i < 6; ++i)
    model->y[i] = model->x[i] + (TOY_NUM_INPUTS == 2 ? model->b[i % 3] : 1.0f);
  return 0;
}

int lowbit_model_get_output(const lowbit_model *model, const char *name,
                            const void **data, size_t *num_bytes) {
  if (strcmp(name, "y") != 0)
    return 1;
  *data = model->y;
  *num_bytes = sizeof(model->y);
  return 0;
}

const char *lowbit_model_last_error(const lowbit_model *model) {
  return model->error;
}
