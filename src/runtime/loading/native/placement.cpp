// Bora's expert-placement addon: gives llama.cpp's `llama_model_params.tensor_buft_overrides` (the
// mechanism behind llama-server's --cpu-moe / --n-cpu-moe / -ot) to a model that node-llama-cpp
// 3.21.1 is about to load. Its addon fills `model_params` in the AddonModel constructor and reads it
// in `init()`, but never sets the overrides; this addon writes them in between.
//
// It is compiled against node-llama-cpp's own AddonModel.h, node-addon-api and the llama.h of the
// llama.cpp node-llama-cpp ships, so `AddonModel`'s layout is the prebuilt addon's. Before writing it
// checks that layout on values it knows (the model path and GPU layers the constructor was given,
// nothing loaded yet, no overrides set) and refuses otherwise. It links no llama.cpp library: the CPU
// buffer type comes from the libggml-base node-llama-cpp already loaded (RTLD_NOLOAD), so one build
// serves the CPU, CUDA and Vulkan binaries alike and can never load a second ggml.
// Built by scripts/build-placement.mjs.
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#if defined(_WIN32)
#include <windows.h>
#else
#include <dlfcn.h>
#endif
#if defined(__APPLE__)
#include <mach-o/dyld.h>
#endif

#include "AddonModel.h"

namespace {

using CpuBufferTypeFunction = ggml_backend_buffer_type_t (*)();
using BufferTypeNameFunction = const char* (*)(ggml_backend_buffer_type_t);

struct GgmlBase {
    CpuBufferTypeFunction cpuBufferType = nullptr;
    BufferTypeNameFunction bufferTypeName = nullptr;
    std::string error;
};

/** A handle on the libggml-base already in the process, or nullptr (never loads one). */
void* loadedGgmlBase() {
#if defined(_WIN32)
    return reinterpret_cast<void*>(GetModuleHandleA("ggml-base.dll"));
#elif defined(__APPLE__)
    // node-llama-cpp's binaries name it @rpath/libggml-base.dylib; find the loaded image by its file name.
    const char* suffix = "/libggml-base.dylib";
    for (uint32_t i = 0; i < _dyld_image_count(); i++) {
        const char* name = _dyld_get_image_name(i);
        size_t length = name ? std::strlen(name) : 0;
        if (length >= std::strlen(suffix) && std::strcmp(name + length - std::strlen(suffix), suffix) == 0) {
            return dlopen(name, RTLD_LAZY | RTLD_NOLOAD);
        }
    }
    return nullptr;
#else
    return dlopen("libggml-base.so", RTLD_LAZY | RTLD_NOLOAD);
#endif
}

void* symbolOf(void* library, const char* name) {
#if defined(_WIN32)
    return reinterpret_cast<void*>(GetProcAddress(reinterpret_cast<HMODULE>(library), name));
#else
    return dlsym(library, name);
#endif
}

const GgmlBase& ggmlBase() {
    static const GgmlBase base = [] {
        GgmlBase found;
        void* library = loadedGgmlBase();
        if (library == nullptr) {
            found.error = "node-llama-cpp's libggml-base is not loaded in this process (load llama.cpp with getLlama() first)";
            return found;
        }
        found.cpuBufferType = reinterpret_cast<CpuBufferTypeFunction>(symbolOf(library, "ggml_backend_cpu_buffer_type"));
        found.bufferTypeName = reinterpret_cast<BufferTypeNameFunction>(symbolOf(library, "ggml_backend_buft_name"));
        if (found.cpuBufferType == nullptr || found.bufferTypeName == nullptr) {
            found.error = "libggml-base has no ggml_backend_cpu_buffer_type or ggml_backend_buft_name";
        }
        return found;
    }();
    return base;
}

/** The overrides of one model, owned by its JS object (freed when that is collected). */
struct Overrides {
    std::vector<std::string> patterns;
    std::vector<llama_model_tensor_buft_override> list;
};

std::string layoutMismatch(const AddonModel& model, const std::string& modelPath, int32_t gpuLayers) {
    if (model.model_params.n_gpu_layers != gpuLayers) {
        return "n_gpu_layers is " + std::to_string(model.model_params.n_gpu_layers) + ", not " + std::to_string(gpuLayers);
    }
    if (model.model != nullptr || model.modelLoaded || model.disposed || model.vocab != nullptr) {
        return "the model is already loaded or disposed";
    }
    if (model.model_params.tensor_buft_overrides != nullptr || model.model_params.vocab_only) {
        return "tensor_buft_overrides is already set, or the model is vocabulary-only";
    }
    // Compared last: a std::string read at the wrong offset is the one field that could point anywhere.
    if (model.modelPath.size() != modelPath.size() || std::memcmp(model.modelPath.data(), modelPath.data(), modelPath.size()) != 0) {
        return "the model path differs from the one given";
    }
    return "";
}

// cpuBufferTypeName(): string. The name of the buffer type expert tensors go to ("CPU"); throws when
// node-llama-cpp's ggml is not loaded.
Napi::Value CpuBufferTypeName(const Napi::CallbackInfo& info) {
    const GgmlBase& base = ggmlBase();
    if (!base.error.empty()) {
        throw Napi::Error::New(info.Env(), base.error);
    }
    return Napi::String::New(info.Env(), base.bufferTypeName(base.cpuBufferType()));
}

/**
 * node-llama-cpp's AddonModel inside `info[0]` when it holds `info[1]` ({ modelPath, gpuLayers })
 * where this build looks; else nullptr and `why` says what differs.
 */
AddonModel* checkedModel(const Napi::CallbackInfo& info, std::string& why) {
    Napi::Env env = info.Env();
    if (info.Length() < 2 || !info[0].IsObject() || !info[1].IsObject()) {
        throw Napi::TypeError::New(env, "expected (addonModel, { modelPath, gpuLayers }, ...)");
    }
    Napi::Object expected = info[1].As<Napi::Object>();
    if (!expected.Get("modelPath").IsString() || !expected.Get("gpuLayers").IsNumber()) {
        throw Napi::TypeError::New(env, "expected.modelPath must be a string and expected.gpuLayers a number");
    }
    const std::string modelPath = expected.Get("modelPath").As<Napi::String>().Utf8Value();
    const int32_t gpuLayers = expected.Get("gpuLayers").As<Napi::Number>().Int32Value();
    void* wrapped = nullptr;
    if (napi_unwrap(env, info[0], &wrapped) != napi_ok || wrapped == nullptr) {
        why = "the object is not a native node-llama-cpp model";
        return nullptr;
    }
    // napi_wrap was given static_cast<AddonModel*>(this) by node-addon-api's ObjectWrap constructor.
    AddonModel* model = static_cast<AddonModel*>(wrapped);
    const std::string mismatch = layoutMismatch(*model, modelPath, gpuLayers);
    if (!mismatch.empty()) {
        why = "node-llama-cpp's model object is not laid out as this build expects: " + mismatch;
        return nullptr;
    }
    return model;
}

// checkModelLayout(addonModel, { modelPath, gpuLayers }): string. Empty when the object holds what
// its constructor was given where this build looks; else what differs. Writes nothing.
Napi::Value CheckModelLayout(const Napi::CallbackInfo& info) {
    std::string why;
    checkedModel(info, why);
    return Napi::String::New(info.Env(), why);
}

// setCpuTensorOverrides(addonModel, { modelPath, gpuLayers }, patterns: string[]): void. Sets the
// overrides on node-llama-cpp's AddonModel between its construction and init(); throws with the
// reason when the object is not what this build expects (then nothing was written).
Napi::Value SetCpuTensorOverrides(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 3 || !info[2].IsArray()) {
        throw Napi::TypeError::New(env, "setCpuTensorOverrides(addonModel, { modelPath, gpuLayers }, patterns)");
    }
    const GgmlBase& base = ggmlBase();
    if (!base.error.empty()) {
        throw Napi::Error::New(env, base.error);
    }
    std::string why;
    AddonModel* model = checkedModel(info, why);
    if (model == nullptr) {
        throw Napi::Error::New(env, why);
    }

    Napi::Array patterns = info[2].As<Napi::Array>();
    auto overrides = std::make_unique<Overrides>();
    overrides->patterns.reserve(patterns.Length());
    for (uint32_t i = 0; i < patterns.Length(); i++) {
        overrides->patterns.push_back(patterns.Get(i).As<Napi::String>().Utf8Value());
    }
    ggml_backend_buffer_type_t cpu = base.cpuBufferType();
    for (const std::string& pattern : overrides->patterns) {
        overrides->list.push_back({ pattern.c_str(), cpu });
    }
    overrides->list.push_back({ nullptr, nullptr });
    model->model_params.tensor_buft_overrides = overrides->list.data();
    // llama.cpp reads the list while init() loads; the JS object outlives that load.
    info[0].As<Napi::Object>().AddFinalizer([](Napi::Env, Overrides* owned) { delete owned; }, overrides.release());
    return env.Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
    exports.Set("cpuBufferTypeName", Napi::Function::New(env, CpuBufferTypeName));
    exports.Set("checkModelLayout", Napi::Function::New(env, CheckModelLayout));
    exports.Set("setCpuTensorOverrides", Napi::Function::New(env, SetCpuTensorOverrides));
    return exports;
}

}  // namespace

NODE_API_MODULE(bora_placement, Init)
