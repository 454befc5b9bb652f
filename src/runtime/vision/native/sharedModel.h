// The llama_model node-llama-cpp already loaded, read from its AddonModel (see sharedModel.cpp).
#pragma once

#include <node_api.h>

#include <cstdint>
#include <string>

struct llama_model;

struct SharedModelExpectation {
    /** The absolute path node-llama-cpp loaded the model from (LlamaModel's resolved path). */
    std::string path;
    /** llama_model_size() as node-llama-cpp reports it (LlamaModel.size). */
    uint64_t size = 0;
};

/**
 * The llama_model inside `addon_model` (node-llama-cpp's LlamaModel._model), after checking that the
 * object really is an AddonModel laid out as this addon was compiled to expect: loaded, not disposed,
 * of the expected path and size. Returns nullptr with `error` set when any check fails. Call on the
 * JS thread; the caller keeps the model from being disposed while it uses the pointer.
 */
llama_model* borrow_node_llama_cpp_model(napi_env env, napi_value addon_model, const SharedModelExpectation& expected, std::string& error);
